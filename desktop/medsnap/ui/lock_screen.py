"""Locking: the lock screen (no patient content; the passphrase unlocks; Switch user) and
the idle watcher (an application event filter notes input; a timer asks the engine whether
the policy's idle time has passed)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QVBoxLayout, QWidget)

from medsnap.ui.qt_enums import Qt

INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress}


class IdleWatcher(QObject):
    """Any keyboard, mouse, wheel or touch input restarts the engine's idle clock."""

    def __init__(self, binding, check_ms: int = 15_000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.binding = binding
        self.timeout_minutes: float | None = None  # None: the policy (default 5)
        QApplication.instance().installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(lambda: self.binding.lock_if_idle(self.timeout_minutes))
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in INPUT_EVENTS:
            self.binding.touch()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class Overlay(QFrame):
    """A screen laid over the whole main window (menus, tools and canvas beneath it)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAutoFillBackground(True)
        window.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def present(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()

    # The mouse stops here. A press the overlay's background or a label ignored went on to
    # the main window beneath, whose hidden dock separator then moved: a click on the welcome
    # screen's demo link left the panels laid out over the status bar.
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        event.accept()

    mouseReleaseEvent = mouseMoveEvent = mouseDoubleClickEvent = mousePressEvent


def card(parent: QWidget, title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    heading = QLabel(title, frame)
    heading.setObjectName("cardTitle")
    layout.addWidget(heading)
    return frame, layout


def centred(overlay: QWidget, inner: QWidget) -> None:
    outer = QVBoxLayout(overlay)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(inner)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class LockScreen(Overlay):
    unlock_requested = Signal(str)  # passphrase
    switch_user_requested = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockScreen")
        self.setAccessibleName("MedSnap is locked")
        box, layout = card(self, "MedSnap is locked")
        box.setFixedWidth(420)
        self.who = QLabel(box)
        self.who.setWordWrap(True)
        self.passphrase = QLineEdit(box)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.returnPressed.connect(self._unlock)
        self.error = QLabel(box)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.busy = QProgressBar(box)  # moves while the passphrase is checked: not frozen
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(4)
        self.busy.setAccessibleName("Unlocking")
        self.busy.hide()
        self.unlock = QPushButton("Unlock", box)
        self.unlock.setDefault(True)
        self.unlock.clicked.connect(self._unlock)
        self.switch = QPushButton("Switch user", box)
        self.switch.clicked.connect(self.switch_user_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock)
        for widget in (self.who, self.passphrase, self.busy, self.error):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        centred(self, box)

    def present_for(self, name: str) -> None:
        self.who.setText(f"Locked for <b>{name}</b>. Your picture and your messages are kept "
                         "safe; enter your passphrase to carry on.")
        self._set_busy(False)
        self._say("")
        self.present()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def unlocking(self) -> bool:
        return self.busy.isVisible()

    def _unlock(self) -> None:
        passphrase = self.passphrase.text()
        if not passphrase or self.unlocking:
            return
        self.passphrase.clear()  # the passphrase leaves the field at once
        self._set_busy(True)
        self._say("Unlocking…", "busy")
        self.unlock_requested.emit(passphrase)  # checked off the UI thread (one scrypt)

    def failed(self, message: str) -> None:
        self._set_busy(False)
        self._say(message)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_busy(self, busy: bool) -> None:
        self.passphrase.clear()
        for widget in (self.passphrase, self.unlock, self.switch):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)

    def _say(self, text: str, tone: str = "") -> None:
        self.error.setText(text)
        self.error.setProperty("tone", tone)
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)
