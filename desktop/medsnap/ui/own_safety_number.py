"""Messages ▸ My safety number…: the number colleagues see for you beside your name (their
Safety number…), to read to them when they check. Without it a clinician asked to "read
theirs" had nowhere to find it (NU5). Only while signed in and unlocked: it is worked out
from the certificates of the clinician whose keys are open."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from medsnap.ui.qt_enums import Qt

MENU_TEXT = "My safety &number…"


def own_safety_number(binding) -> str:
    """The same digits, grouped the same way, as a colleague's Safety number… shows for you."""
    from medsnap.crypto.safety_number import safety_number

    return safety_number(binding.session.clinician.certificates)


def add_own_safety_number(ui) -> QAction:
    """The action, in the Messages menu before Lock now; on only while unlocked."""
    binding = ui.binding
    action = QAction(MENU_TEXT, ui.window)
    action.setStatusTip("The number colleagues see for you: read it to them when they check")
    action.triggered.connect(lambda: show_own_safety_number(ui))
    menu = next((w for w in ui.lock_action.associatedObjects() if isinstance(w, QMenu)), None)
    if menu is not None:
        menu.insertAction(ui.lock_action, action)
    ui.window.addAction(action)

    def follow(*_args) -> None:
        action.setEnabled(binding.is_unlocked)

    for change in (binding.signed_in, binding.locked, binding.signed_out):
        change.connect(follow)
    follow()
    return action


def show_own_safety_number(ui) -> QMessageBox | None:
    binding = ui.binding
    if not binding.is_unlocked:
        ui.window.status.showMessage("Sign in, or unlock, to see your safety number.", 15000)
        return None
    number = own_safety_number(binding)
    box = QMessageBox(QMessageBox.Icon.Information, "My safety number",
                      f"Your safety number, {binding.display_name}:\n\n{number}\n\n"
                      "A colleague checking your keys sees this same number under Safety "
                      "number… beside your name. Read it to them, in person or by phone. If "
                      "theirs differs, do not rely on messages between you: tell IT.",
                      parent=ui.window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    ui.own_safety_box = box
    return box
