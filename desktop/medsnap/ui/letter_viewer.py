"""A received message: the image (zoom with the wheel or +, − and Ctrl+0 to fit, pan by
dragging; the zoom level shown beside Fit), who signed it, the note, the declaration and the
verification result; or, for a refused message, why. Esc or Ctrl+W closes it, and the outcome
of "Save a copy for the record" is said here, not behind it in the main window.

Only the signed values are shown. ``clear()`` drops the pixmap and the opened letter (lock).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from medsnap.ui import file_dialogs
from medsnap.ui.file_folders import DOCUMENTS_FIRST, FolderMemory
from medsnap.ui.long_text import NoteText, breakable
from medsnap.ui.send_panel import DECLARATION_LABELS
from medsnap.ui.zoom_view import ZoomView

CHECK_LABELS = {
    "chain": "certificate issued by your hospital",
    "signature": "signature valid",
    "sender": "sender matches the certificate",
    "recipient": "addressed to you",
    "times": "times are sane",
    "replay": "not a replayed copy",
    "parts": "unaltered (every part's fingerprint matches)",
}


#: the viewer opens this share of the free screen area (of the editor's screen)
SCREEN_SHARE = 0.9


class LetterViewer(QWidget):
    reply_requested = Signal(object)  # OpenedLetter
    save_requested = Signal(str, str)  # path, message id

    def __init__(self, allow_save: bool | Callable[[], bool],
                 parent: QWidget | None = None, folders: FolderMemory | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.folders = folders or FolderMemory()  # the editor's: one memory per run
        self.setObjectName("letterViewer")
        self.setWindowTitle("Message — MedSnap")
        self.setAccessibleName("Message")
        self.resize(900, 680)  # until shown: then most of the editor's screen (fill_screen)
        self.letter = None
        # a callable is asked on first use: reading the policy costs start-up time
        self._allow_save = allow_save
        self.header = QLabel(self)
        self.header.setObjectName("viewerHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        # its room inside the coloured box, set here: restyled for its tone while shown,
        # the style sheet's padding was lost, and the second line was cut off
        self.verdict.setContentsMargins(8, 6, 8, 6)
        self.note = NoteText(self)  # a pasted token or URL wraps anywhere, never widens us
        self.note.setObjectName("viewerNote")
        self.note.setAccessibleName("Note")
        self.view = ZoomView(self)
        self.reply = QPushButton("Reply…", self)
        self.reply.setToolTip("Open this image in the editor, addressed to the sender")
        self.reply.clicked.connect(lambda: self.letter and self.reply_requested.emit(self.letter))
        self.save = QPushButton("Save a copy for the record…", self)
        self.save.clicked.connect(self._save_clicked)
        self.fit_button = fit = QPushButton("Fit", self)
        fit.setToolTip("Show the whole picture (Ctrl+0); zoom with + and −, or the wheel")
        fit.clicked.connect(self.view.fit)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("panelHint")
        self.zoom_label.setAccessibleName("Zoom level")
        self.zoom_label.setToolTip("+ and − zoom in and out, Ctrl+0 fits, Ctrl+1 is actual size")
        self.view.zoom_changed.connect(self._show_zoom)
        self.told = QLabel(self)  # what became of "Save a copy", said where it was asked
        self.told.setObjectName("viewerNotice")
        self.told.setWordWrap(True)
        self.told.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long file path (copied from here exactly) is cut rather than widening the window
        self.told.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.told.hide()
        close = QPushButton("Close", self)
        close.setToolTip("Close the message (Esc)")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.reply, self.save, fit):
            buttons.addWidget(button)
        buttons.addWidget(self.zoom_label)
        buttons.addStretch(1)
        buttons.addWidget(close)
        self._keys()
        layout = QVBoxLayout(self)
        for widget in (self.header, self.verdict, self.note):
            layout.addWidget(widget)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)
        layout.addWidget(self.told)
        layout.addLayout(buttons)

    def _keys(self) -> None:
        """The viewer is a window of its own: the editor's shortcuts do not reach it."""
        zoom_in, zoom_out = QKeySequence.StandardKey.ZoomIn, QKeySequence.StandardKey.ZoomOut
        bindings = (
            ((QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W"),
              QKeySequence(QKeySequence.StandardKey.Close)), self.close),
            ((QKeySequence("+"), QKeySequence("="), QKeySequence(zoom_in),
              QKeySequence("Ctrl+=")), lambda: self.view.zoom_step(+1)),
            ((QKeySequence("-"), QKeySequence(zoom_out)), lambda: self.view.zoom_step(-1)),
            ((QKeySequence("Ctrl+0"),), self.view.fit),
            ((QKeySequence("Ctrl+1"),), lambda: self.view.zoom_to(1.0)),
        )
        self.shortcuts: list[QShortcut] = []
        seen: set[str] = set()
        for keys, act in bindings:
            for key in keys:
                if key.isEmpty() or key.toString() in seen:
                    continue  # Close is Ctrl+W here already on some desktops
                seen.add(key.toString())
                shortcut = QShortcut(key, self)  # while this window is active
                shortcut.activated.connect(act)
                self.shortcuts.append(shortcut)

    def _show_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"Zoom {round(scale * 100)}%")

    def tell(self, message: str) -> None:
        """Say what became of an action asked for here (the status bar is behind us)."""
        self.told.setText(message)
        self.told.setToolTip(message)
        self.told.setVisible(bool(message))

    def show_letter(self, letter) -> None:
        self.letter = letter
        self.tell("")
        sender = letter.sender
        issued = letter.issued_at.astimezone().strftime("%d %b %Y %H:%M")
        priority = letter.annotations.get("priority") if isinstance(letter.annotations, dict) \
            else None
        urgent = " <span style='color:#b3261e'><b>URGENT</b></span>" if priority == "urgent" else ""
        who = breakable(f"From <b>{sender.display_name}</b>"
                        f"{', ' + sender.role if sender.role else ''}")
        self.header.setText(f"{who} · {issued}{urgent}<br>"
                            f"Patient: {DECLARATION_LABELS.get(letter.declaration, letter.declaration)}")
        checks = [CHECK_LABELS.get(c, c) for c in letter.verification.checks]
        revoked = getattr(letter.verification, "sender_revoked", None)
        if revoked is not None:  # arrived before its sender was revoked: shown, with a caution
            self._verdict("bad", f"<b>⚠ {html.escape(revoked.caution(sender.display_name))}"
                          f"</b><br><small>Checked: {'; '.join(checks)}.</small>")
        else:
            self._verdict("ok", f"<b>✓ Verified: signed by {sender.display_name} and "
                          f"unaltered.</b><br><small>Checked: {'; '.join(checks)}.</small>")
        self.note.setText(letter.note or "(no note)")
        self.note.show()
        self.view.show()
        image = QImage.fromData(letter.image)
        self.view.show_pixmap(QPixmap.fromImage(image))
        self.reply.setVisible(True)
        self.fit_button.setVisible(True)
        self.zoom_label.setVisible(True)
        self.save.setVisible(self.allow_save)
        if not self.isVisible() or self.height() < 600 or self._beyond_screen():
            self.fill_screen()  # not a size the clinician chose
        self.setWindowTitle(f"Message from {sender.display_name} — MedSnap")

    def show_refusal(self, item) -> None:
        self.letter = None
        when = dt.datetime.fromtimestamp(item.received_at).strftime("%d %b %Y %H:%M")
        self.header.setText(f"A message received {when} was <b>not opened</b>.")
        self._verdict("bad", "<b>✗ Refused:</b> " + item.verdict.get(
            "reason", "it failed a check. Nothing from it is shown; ask the sender to send it "
            "again."))
        self.note.hide()
        self.view.show_pixmap(None)
        self.view.hide()
        self.tell("")
        self.reply.setVisible(False)
        self.fit_button.setVisible(False)
        self.zoom_label.setVisible(False)
        self.save.setVisible(False)
        self.resize(max(self.width(), 640), 190)  # nothing to look at but the reason
        self.setWindowTitle("Refused message — MedSnap")

    def _beyond_screen(self) -> bool:
        screen = self.screen()
        return screen is not None and \
            self.frameGeometry().width() > screen.availableGeometry().width()

    def fill_screen(self) -> None:
        """Most of the free area of the screen the editor is on, centred there: at a fixed
        900 x 680 a letter's page was fitted at 21 % and unreadable until zoomed."""
        anchor = self.parentWidget() or self
        screen = anchor.screen() if anchor.screen() is not None else self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.resize(int(area.width() * SCREEN_SHARE), int(area.height() * SCREEN_SHARE))
        frame = self.frameGeometry()  # the title bar's height is known once shown
        frame.moveCenter(area.center())
        self.move(max(area.left(), frame.left()), max(area.top(), frame.top()))

    @property
    def allow_save(self) -> bool:
        if callable(self._allow_save):
            self._allow_save = bool(self._allow_save())
        return self._allow_save

    @allow_save.setter
    def allow_save(self, allowed: bool) -> None:
        self._allow_save = allowed

    def _verdict(self, tone: str, text: str) -> None:
        self.verdict.setProperty("tone", tone)
        self.verdict.setText(text)
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)

    def _save_clicked(self) -> None:
        if self.letter is None or not self.allow_save:
            return
        suffix = "png" if self.letter.media_type == "image/png" else "jpg"
        name = f"medsnap-{self.letter.message_id[:8]}.{suffix}"
        folder = self.folders.start(DOCUMENTS_FIRST)
        path, _ = file_dialogs.ask_save_file(self, "Save a copy for the record",
                                             str(Path(folder) / name))
        if path and self.letter is not None:  # not locked while the dialog was open
            self.folders.remember(path)
            self.save_requested.emit(path, self.letter.message_id)

    def clear(self) -> None:
        """Forget the decrypted image and the letter (lock, close)."""
        self.letter = None
        self.view.show_pixmap(None)
        self.header.clear()
        self.note.clear()
        self.verdict.clear()
        self.tell("")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.clear()
        super().closeEvent(event)
