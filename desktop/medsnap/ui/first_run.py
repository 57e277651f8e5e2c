"""First run (nobody signed in): Sign in, Enrol with a code from IT, or Try the demo; or just
annotate for now (the editor works without an account and offline)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QApplication, QBoxLayout, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from medsnap.ui.lock_screen import Overlay, card

#: Qt.TextFormat.RichText by value: this screen is in medsnap's first frame, which does not
#: set up all of Qt's enums (see qt_enums)
_RICH_TEXT = 1
_TOP_LEFT = 0x21  # Qt.AlignTop | Qt.AlignLeft by value: no Qt enum before the first frame
CARD_MIN_WIDTH = 280
DEMO_INTRO = ("Runs a demo messaging service on this computer with three demo colleagues, and "
              "signs you in as the first. Use no real patient data.")


def strength_problem(passphrase: str, staff_id: str) -> str:
    """'' when the passphrase meets the rules, else the reason in plain words, said as a
    hint while typing (the refusal's "Your keys were not changed" is for a refusal)."""
    from medsnap.crypto.passphrase import WeakPassphrase, check_passphrase_strength
    from medsnap.errors import MedSnapError

    try:
        check_passphrase_strength(passphrase, staff_id or None)
    except WeakPassphrase as error:
        return f"Not strong enough yet: {error.reason}"
    except MedSnapError as error:
        return error.message
    return ""


def for_the_window(message: str) -> str:
    """An engine message written for the command line, told in the window's terms."""
    import re

    message = re.sub(r" \('medsnap enrol [^']*'\)", " (under “First time here? Enrol” on "
                     "this screen)", message)
    return message.replace("run 'medsnap demo'", "choose “Try the demo”")


def _secret(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class FirstRunScreen(Overlay):
    sign_in_requested = Signal(str, str)  # staff id, passphrase
    enrol_requested = Signal(str, str, str)  # staff id, code, passphrase
    demo_requested = Signal()
    dismissed = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("firstRun")
        self.setAccessibleName("Welcome to MedSnap")
        title = QLabel("Welcome to MedSnap", self)
        title.setObjectName("welcomeTitle")
        intro = QLabel("Send a redacted, signed and encrypted picture of the record to a named "
                       "colleague. Sign in to send and receive.", self)
        intro.setWordWrap(True)
        intro.setObjectName("welcomeIntro")

        signin, signin_layout = card(self, "Sign in")
        self.staff_id = QLineEdit(signin)
        self.staff_id.setAccessibleName("Staff id")
        self.passphrase = _secret(signin, "Passphrase")
        self.passphrase.returnPressed.connect(self._sign_in)
        form = QFormLayout()
        form.addRow("Staff id", self.staff_id)
        form.addRow("Passphrase", self.passphrase)
        signin_layout.addLayout(form)
        self.sign_in_button = QPushButton("Sign in", signin)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._sign_in)
        signin_layout.addStretch(1)
        signin_layout.addWidget(self.sign_in_button)

        enrolment, enrol_layout = card(self, "First time here? Enrol")
        hint = QLabel("IT gives you a one-time code. Choose a passphrase of 12 or more "
                      "characters (four unrelated words work well).", enrolment)
        hint.setWordWrap(True)
        hint.setObjectName("panelHint")
        self.enrol_staff_id = QLineEdit(enrolment)
        self.enrol_staff_id.setAccessibleName("Staff id for enrolment")
        self.code = QLineEdit(enrolment)
        self.code.setAccessibleName("Code from IT")
        self.new_passphrase = _secret(enrolment, "New passphrase")
        self.repeat = _secret(enrolment, "Repeat passphrase")
        self.strength = QLabel(enrolment)
        self.strength.setObjectName("formError")
        self.strength.setWordWrap(True)
        # room for the rule's two or three lines kept, so the page does not jump as it shows
        self.strength.setMinimumHeight(3 * self.strength.fontMetrics().lineSpacing())
        self.strength.setProperty("alignment", _TOP_LEFT)
        form = QFormLayout()
        form.addRow("Staff id", self.enrol_staff_id)
        form.addRow("Code from IT", self.code)
        form.addRow("Passphrase", self.new_passphrase)
        form.addRow("Repeat", self.repeat)
        enrol_layout.addWidget(hint)
        enrol_layout.addLayout(form)
        enrol_layout.addWidget(self.strength)
        self.enrol_button = QPushButton("Enrol", enrolment)
        self.enrol_button.clicked.connect(self._enrol)
        enrol_layout.addWidget(self.enrol_button)
        for field in (self.new_passphrase, self.repeat, self.enrol_staff_id):
            field.textChanged.connect(self._check_strength)
        # Enter in any enrol field enrols (it did nothing: Sign in's is the default button,
        # and a default button acts only in a dialog); the highlight follows the keyboard
        self.enrol_fields = (self.enrol_staff_id, self.code, self.new_passphrase, self.repeat)
        for field in self.enrol_fields:
            field.returnPressed.connect(self._enrol)
        self.enrol_card = enrolment
        QApplication.instance().focusChanged.connect(self._default_follows_focus)

        demo, demo_layout = card(self, "Try the demo")
        self.demo_text = QLabel(DEMO_INTRO, demo)
        self.demo_text.setWordWrap(True)
        self.demo_text.setProperty("textFormat", _RICH_TEXT)
        self.demo_text.linkActivated.connect(self._sign_in_as_demo)
        self.demo_passphrases: dict[str, str] = {}  # staff id: passphrase, when listed
        #: the demo colleagues to list (set by the messaging window): those of a workstation
        #: already in demo mode, so that after Switch user one click signs in as the next
        self.demo_colleagues = tuple
        self.demo_button = QPushButton("Try the demo", demo)
        self.demo_button.clicked.connect(self._demo)
        self.prefilled = ""  # the staff id present_with filled in
        demo_layout.addWidget(self.demo_text)
        demo_layout.addStretch(1)
        demo_layout.addWidget(self.demo_button)

        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setProperty("tone", "bad")
        self.error.setWordWrap(True)
        self.later = QPushButton("Just annotate for now", self)
        self.later.setObjectName("linkButton")
        self.later.clicked.connect(self.dismiss)

        # side by side when they fit, else one above the other (a large scale factor on a
        # small screen); the page scrolls when even that is taller than the window
        self.cards = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.card_frames = (signin, enrolment, demo)
        for frame in self.card_frames:
            frame.setMinimumWidth(CARD_MIN_WIDTH)
            frame.setMaximumWidth(380)
            self.cards.addWidget(frame, 1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(12)
        column.addLayout(self.cards)
        column.addWidget(self.error)
        later_row = QHBoxLayout()  # at the left, as wide as its text
        later_row.addWidget(self.later)
        later_row.addStretch(1)
        column.addLayout(later_row)
        inner = QWidget(self)
        inner.setLayout(column)
        inner.setMaximumWidth(1180)
        page = QWidget()
        centre = QVBoxLayout(page)
        centre.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(inner, 8)
        row.addStretch(1)
        centre.addLayout(row)
        centre.addStretch(2)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("welcomeScroll")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.addWidget(self.scroll)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._arrange_cards(event.size().width())
        super().resizeEvent(event)

    def offer_demo(self, offered: bool) -> None:
        """A workstation IT has pointed at the hospital's endpoint offers no demo: a ward
        clinician choosing it would send real pictures to a service on this PC."""
        self.card_frames[2].setVisible(offered)
        self._arrange_cards(self.width())

    def _arrange_cards(self, width: int) -> None:
        spacing = max(self.cards.spacing(), 0)
        shown = sum(1 for frame in self.card_frames if not frame.isHidden())
        margins = 4 * 24 + (shown - 1) * spacing  # the page's and cards' margins, generously
        side_by_side = width >= shown * CARD_MIN_WIDTH + margins
        direction = QBoxLayout.Direction.LeftToRight if side_by_side else \
            QBoxLayout.Direction.TopToBottom
        if self.cards.direction() != direction:
            self.cards.setDirection(direction)

    def present_with(self, staff_id: str) -> None:
        """Shown afresh (start, Switch user, Send's sign-in): nothing a previous clinician
        typed is left in it, least of all a passphrase."""
        self.forget_typed()
        self.staff_id.setText(staff_id)
        self.prefilled = staff_id  # a refused passphrase for it may be someone else's
        self.error.clear()
        self._busy(False)
        self.show_demo_colleagues(self.demo_colleagues())
        self.present()
        (self.passphrase if staff_id else self.staff_id).setFocus()

    def forget_typed(self) -> None:
        for field in (self.staff_id, self.passphrase, self.enrol_staff_id, self.code,
                      self.new_passphrase, self.repeat):
            field.clear()
        self.strength.clear()

    def dismiss(self) -> None:
        self.forget_typed()
        self.hide()
        self.dismissed.emit()

    def _busy(self, busy: bool, text: str = "") -> None:
        for button in (self.sign_in_button, self.enrol_button, self.demo_button):
            button.setEnabled(not busy)
        tone = "busy" if busy else "bad"
        if self.error.property("tone") != tone:  # restyled only when polished again:
            self.error.setProperty("tone", tone)  # progress was red as errors
            self.error.style().unpolish(self.error)
            self.error.style().polish(self.error)
        self.error.setText(text)

    def tell(self, text: str) -> None:
        """A plain outcome (not an error) under the cards."""
        self._busy(False)
        self.error.setText(text)
        self.error.setProperty("tone", "busy")  # not red: nothing went wrong
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)

    def _sign_in(self) -> None:
        if not self.staff_id.text().strip() or not self.passphrase.text():
            self.error.setText("Enter your staff id and your passphrase.")
            return
        passphrase = self.passphrase.text()
        self.passphrase.clear()  # the passphrase leaves the field at once, whatever the answer
        self._busy(True, "Signing in…")
        self.sign_in_requested.emit(self.staff_id.text().strip(), passphrase)

    def _check_strength(self) -> str:
        problem = ""
        if self.new_passphrase.text():
            reason = strength_problem(self.new_passphrase.text(), self.enrol_staff_id.text())
            if reason:
                problem = reason
            elif self.repeat.text() and self.repeat.text() != self.new_passphrase.text():
                problem = "The two passphrases differ."
        self.strength.setText(problem)
        return problem

    def _default_follows_focus(self, _old: QWidget | None, now: QWidget | None) -> None:
        """The button Enter presses looks like it: Enrol's while typing in the enrol card."""
        if now is None or not self.isAncestorOf(now):
            return
        enrolling = self.enrol_card.isAncestorOf(now)
        self.enrol_button.setDefault(enrolling)
        self.sign_in_button.setDefault(not enrolling)

    def _enrol(self) -> None:
        fields = (self.enrol_staff_id.text().strip(), self.code.text().strip(),
                  self.new_passphrase.text())
        if not all(fields):
            self.error.setText("Enter your staff id, the code from IT and a new passphrase.")
            return
        if self._check_strength() or self.repeat.text() != self.new_passphrase.text():
            self.strength.setText(self.strength.text() or "The two passphrases differ.")
            return
        for secret in (self.new_passphrase, self.repeat):  # they leave the fields at once
            secret.blockSignals(True)  # (no strength hint about empty fields)
            secret.clear()
            secret.blockSignals(False)
        self._busy(True, "Enrolling…")
        self.enrol_requested.emit(*fields)

    def show_demo_colleagues(self, colleagues) -> None:
        """The demo card lists each colleague with their public passphrase and a link that
        signs in as them (none: the card only offers the demo)."""
        from html import escape

        self.demo_passphrases = {c.staff_id: c.passphrase for c in colleagues}
        if not colleagues:
            self.demo_text.setText(DEMO_INTRO)
            return
        rows = "".join(
            f"<p><a href='{escape(c.staff_id)}'>Sign in as {escape(c.name)}</a><br>"
            f"{escape(c.staff_id)}, passphrase “{escape(c.passphrase)}”</p>" for c in colleagues)
        self.demo_text.setText(f"The demo's colleagues (use no real patient data):{rows}")

    def _sign_in_as_demo(self, staff_id: str) -> None:
        if staff_id in self.demo_passphrases:
            self.forget_typed()
            self.staff_id.setText(staff_id)
            self._busy(True, "Signing in…")
            self.sign_in_requested.emit(staff_id, self.demo_passphrases[staff_id])

    def _demo(self) -> None:
        self._busy(True, "Starting the demo (this takes a few seconds the first time)…")
        self.demo_requested.emit()

    def failed(self, message: str) -> None:
        self._busy(False)
        self.passphrase.clear()
        self.new_passphrase.clear()
        self.repeat.clear()
        self.error.setText(for_the_window(message) + self._not_you(message))

    def _not_you(self, message: str) -> str:
        """A wrong passphrase for the staff id this screen filled in: most likely another
        clinician, who typed only their passphrase under their predecessor's id."""
        from medsnap.crypto.keystore_errors import WrongPassphrase  # only on a refusal

        wrong = WrongPassphrase("\0").message.split("\0")[0]  # "That passphrase … of "
        if self.prefilled and self.staff_id.text().strip() == self.prefilled and \
                message.startswith(wrong):
            return " Not you? Type your own staff id."
        return ""
