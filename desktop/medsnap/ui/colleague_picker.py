"""Choose a named colleague: type-ahead over name, role and department, recent ones first,
a verified badge, the safety number on demand, a warning when their key changed."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from medsnap.messaging.colleague_keys import safety_number_of
from medsnap.ui.settings import Setting

MAX_RECENT = 8
LIST_HEIGHT = 88  # three colleagues (two lines each) in the list
#: where an earlier version kept one list for everyone on this computer account (NU5: the next
#: clinician's "recent" order was the last one's, and it recorded who messaged whom)
SHARED_RECENT_KEY = "messaging/recent_colleagues"


def recent_colleagues(own_staff_id: str) -> Setting:
    """The colleagues ``own_staff_id`` sent to lately, theirs alone (the key names them as
    hex: a staff id may hold characters a settings key may not)."""
    return Setting(f"{SHARED_RECENT_KEY}/{own_staff_id.encode().hex()}", list, [],
                   lambda ids: len(ids) <= 50)


def matches(entry: dict, text: str) -> bool:
    """Every typed word is found in the name, role, department or staff id."""
    haystack = " ".join(str(entry.get(k, "")) for k in
                        ("display_name", "role", "department", "staff_id")).lower()
    return all(word in haystack for word in text.lower().split())


def remember_recent(settings: QSettings, own_staff_id: str, staff_id: str) -> None:
    if settings.contains(SHARED_RECENT_KEY):
        settings.remove(SHARED_RECENT_KEY)
    recent = recent_colleagues(own_staff_id)
    ids = [s for s in recent.read(settings) if s != staff_id]
    recent.write(settings, [staff_id, *ids][:MAX_RECENT])


class TallestPageStack(QStackedWidget):
    """Pages that keep one height: the tallest page's, at every width. (Qt's stack, once
    a page's height depends on its width, a wrapped name on the card, counts only those
    pages and shrank below the search box and its list.)"""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def _pages(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count())]

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        heights = [page.heightForWidth(width) if page.hasHeightForWidth()
                   else page.sizeHint().height() for page in self._pages()]
        return max(heights, default=0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        hint.setHeight(max([hint.height()] + [p.sizeHint().height() for p in self._pages()]))
        return hint


class ColleaguePicker(QWidget):
    chosen = Signal(object)  # the directory entry, or None when cleared
    key_check_wanted = Signal(object)  # entry: show the safety number
    search_wanted = Signal(str)  # nobody listed matches: ask the endpoint's directory

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.entries: list[dict] = []
        self.own_staff_id = ""
        self.known: dict = {}  # staff id -> {"safety_number", "verified"}
        self.current: dict | None = None
        self.wanted = ""  # a staff id to choose once the directory lists it (a draft's)
        self.key_changed = False
        # staff id -> "HH:MM": the endpoint refused a send to them (disabled, revoked) since
        # sign-in; the directory loaded before may still list them, so they are marked
        self.cannot_receive: dict[str, str] = {}
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Type a name, role or department…")
        self.search.setAccessibleName("Colleague")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Matching colleagues")
        self.list.setMaximumHeight(LIST_HEIGHT)
        # one short line, the whole why on hovering: two lines here made the finding page,
        # and so the card's page, taller (a blank gap under the card, NU6)
        self.offline_note = QLabel("Offline: colleagues you sent to before.", self)
        self.offline_note.setToolTip("Colleagues cannot be looked up while MedSnap is "
                                     "offline; ones you have sent to before are listed.")
        self.offline_note.setObjectName("panelHint")
        self.offline_note.setWordWrap(True)
        self.offline_note.hide()
        self.offline = False
        self.no_match = QLabel(self)  # said once the endpoint found nobody either
        self.no_match.setObjectName("panelHint")
        self.no_match.setWordWrap(True)
        self.no_match.hide()
        self.asking = QTimer(self)  # typing paused with no match listed: ask the endpoint
        self.asking.setSingleShot(True)
        self.asking.setInterval(500)
        self.asking.timeout.connect(self.ask_directory)
        self._enter_for = ""  # Enter pressed with nothing listed, for this text
        self.card = QLabel(self)
        self.card.setObjectName("colleagueCard")
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.warning = QLabel(self)
        self.warning.setObjectName("keyWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.safety = QPushButton("Safety number…", self)
        self.safety.setToolTip("Compare this number with your colleague's, in person or by phone")
        self.safety.clicked.connect(lambda: self.current and self.key_check_wanted.emit(self.current))
        self.change = QPushButton("Change", self)
        # not connected to clear directly: clicked's `checked` (False) became focus=False,
        # and the keyboard stayed in the Note box, where the name to search was typed (NU5)
        self.change.clicked.connect(lambda: self.clear(focus=True))
        # finding and chosen are two pages of one stack, as tall as the taller: choosing or
        # clearing a colleague moves nothing below (the fields jumped up ~30 px under the
        # pointer, and a click meant for Patient landed on Priority)
        self.pages = TallestPageStack(self)
        self.finding_page = QWidget(self.pages)
        finding = QVBoxLayout(self.finding_page)
        for widget in (self.search, self.offline_note, self.no_match, self.list):
            finding.addWidget(widget)
        self.chosen_page = QWidget(self.pages)
        chosen = QVBoxLayout(self.chosen_page)
        chosen.addWidget(self.card)
        chosen.addWidget(self.warning)
        buttons = QHBoxLayout()
        buttons.addWidget(self.safety)
        buttons.addWidget(self.change)
        buttons.addStretch(1)
        chosen.addLayout(buttons)
        for page, page_layout in ((self.finding_page, finding), (self.chosen_page, chosen)):
            page_layout.setContentsMargins(0, 0, 0, 0)
            page_layout.addStretch(1)  # the shorter page's room is left below it
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.search.textChanged.connect(self.refilter)
        self.search.returnPressed.connect(self.choose_first)
        self.list.itemActivated.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        self.list.itemClicked.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        self.clear()

    def set_entries(self, entries: list[dict], own_staff_id: str, known: dict) -> None:
        if own_staff_id != self.own_staff_id:
            self.cannot_receive = {}  # another clinician's refusals are not theirs to see
        self.entries = [e for e in entries if e["staff_id"] != own_staff_id]
        self.own_staff_id, self.known = own_staff_id, known
        self.refilter()
        listed = next((e for e in self.entries if self.current is not None
                       and e["staff_id"] == self.current["staff_id"]), None)
        if listed is not None and listed != self.current:  # new keys since it was chosen:
            self.choose(listed)  # the card, and its key-changed warning, follow
        wanted = next((e for e in self.entries if e["staff_id"] == self.wanted), None)
        if wanted is not None and self.current is None:  # a restored draft's colleague
            self.choose(wanted)

    def show_offline(self, offline: bool) -> None:
        """The directory could not be asked: say why the list is short (or empty)."""
        self.offline = offline
        self.offline_note.setVisible(offline)  # on the finding page: seen only there
        # the line's room comes out of the list's, so the page is no taller offline; but
        # never below one colleague's row (large fonts: the line alone is taller than 88 px)
        spacing = max(0, self.finding_page.layout().spacing())
        taken = self.offline_note.sizeHint().height() + spacing
        wanted = LIST_HEIGHT - taken if offline else LIST_HEIGHT
        self.list.setMaximumHeight(max(wanted, self.one_row_height()))

    def one_row_height(self) -> int:
        """The list's height that shows one colleague (two lines: name, then role and
        department), frame included."""
        lines = 2 * self.list.fontMetrics().lineSpacing() + 4  # an item's own margins
        listed = self.list.sizeHintForRow(0) if self.list.count() else 0
        return max(lines, listed) + 2 * self.list.frameWidth()

    def ordered(self, text: str) -> list[dict]:
        recent = recent_colleagues(self.own_staff_id).read(self.settings)
        rank = {staff_id: i for i, staff_id in enumerate(recent)}
        found = [e for e in self.entries if matches(e, text)]
        return sorted(found, key=lambda e: (rank.get(e["staff_id"], len(rank)),
                                            e["display_name"].lower()))

    def refilter(self) -> None:
        self.list.clear()
        for entry in self.ordered(self.search.text())[:30]:
            badge = "  ✓ verified" if self.known.get(entry["staff_id"], {}).get("verified") else ""
            if entry["staff_id"] in self.cannot_receive:
                badge = "  ⚠ cannot receive"
            where = " · ".join(part for part in (entry.get("role"), entry.get("department"))
                               if part)
            item = QListWidgetItem(f"{entry['display_name']}{badge}" + (f"\n{where}" if where
                                                                        else ""))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
        if self.list.count() and self.search.text().strip():
            self.list.setCurrentRow(0)  # the top match of what was typed: Enter takes it
        else:  # nothing typed: nothing looks chosen while the panel says "Choose a colleague"
            self.list.setCurrentRow(-1)
        text = self.search.text().strip()
        if self.list.count() or not text:
            self.no_match.hide()
            self.asking.stop()
        elif self.current is None:  # someone who enrolled after the list was loaded?
            self.asking.start()

    def ask_directory(self) -> None:
        self.asking.stop()
        text = self.search.text().strip()
        if text and not self.list.count():
            self.search_wanted.emit(text)

    def searched(self, text: str) -> None:
        """The endpoint's directory answered for ``text`` (its entries are merged already)."""
        enter, self._enter_for = self._enter_for, ""
        if text != self.search.text().strip() or self.current is not None:
            return
        if self.list.count():
            if enter == text:  # Enter was pressed for this: the top match, as Enter does
                self.choose_first()
            return
        self.no_match.setText(f"No colleague matches “{text}”. Check the spelling, or type "
                              "their staff id.")
        self.no_match.show()

    def choose_first(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.isSelected():
            self.choose(item.data(Qt.ItemDataRole.UserRole))
        elif not self.list.count():
            self._enter_for = self.search.text().strip()  # taken when the answer comes
            self.ask_directory()  # Enter with nothing listed: ask now, not after the pause

    def choose(self, entry: dict) -> None:
        self.current, self.wanted = entry, ""
        safety = safety_number_of(entry)
        known = self.known.get(entry["staff_id"])
        self.key_changed = bool(known and known["safety_number"] != safety)
        verified = bool(known and known.get("verified") and not self.key_changed)
        badge = ("<span style='color:#1b7f3b'>✓ verified in person</span>" if verified
                 else "<span style='color:#666'>not yet verified in person</span>")
        where = ", ".join(part for part in (entry.get("role"), entry.get("department"))
                          if part)  # no stray comma for a colleague without either
        self.card.setText(f"<b>{entry['display_name']}</b><br>{where}<br>{badge}" if where
                          else f"<b>{entry['display_name']}</b><br>{badge}")
        self._warn()
        self.no_match.hide()
        self.pages.setCurrentWidget(self.chosen_page)
        self.chosen.emit(entry)

    def _warn(self) -> None:
        entry = self.current
        gone = self.cannot_receive.get(entry["staff_id"]) if entry else None
        words = [
            "⚠ This colleague's key has changed since you last sent to them. It may be a new "
            "device, or someone pretending to be them. Compare the safety number with them "
            "before you send." if self.key_changed else "",
            f"⚠ A send to them was refused at {gone}: they can no longer receive MedSnap "
            "messages (account disabled or certificate revoked). Choose another colleague, "
            "or ask IT." if gone else ""]
        self.warning.setText("\n".join(w for w in words if w))
        self.warning.setVisible(bool(self.warning.text()))

    def mark_cannot_receive(self, staff_id: str, when: str) -> None:
        """The endpoint refused a send to them: the list and their card say so."""
        self.cannot_receive[staff_id] = when
        self.refilter()
        if self.current is not None and self.current["staff_id"] == staff_id:
            self._warn()

    def choose_staff_id(self, staff_id: str, display_name: str = "") -> None:
        entry = next((e for e in self.entries if e["staff_id"] == staff_id), None)
        if entry is not None:
            self.choose(entry)
        else:  # the directory has not answered yet: chosen when it does
            self.wanted = staff_id
            self.search.setText(display_name or staff_id)

    def clear(self, focus: bool = True) -> None:
        """No colleague chosen; ``focus``: the keyboard goes to the search field."""
        self.current = None
        self.wanted = ""
        self.key_changed = False
        self.warning.hide()
        self.pages.setCurrentWidget(self.finding_page)
        self.offline_note.setVisible(self.offline)
        self.search.clear()
        if focus:
            self.search.setFocus()
        self.chosen.emit(None)

