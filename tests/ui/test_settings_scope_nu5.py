"""Edit ▸ Settings… on the real window (NU5): any clinician on a ward's shared computer login
could raise Lock after idle or allow copying for everyone on it, and the dialog did not say
so. It says so before anything is changed, and that IT's policy overrides the choices."""

from __future__ import annotations

from medsnap.ui.settings_dialog import SettingsDialog


def test_the_settings_dialog_says_who_its_choices_apply_to(qtbot, make_window):
    window = make_window()
    window.actions.settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    scope = dialog.scope
    assert scope.isVisible()
    text = scope.text()
    assert "everyone who uses MedSnap on this computer account" in text
    assert "IT's policy overrides them" in text
    # what one person's choice can do to the others (review): only safer
    assert "Lock after idle can only be made shorter" in text
    assert "deletes only messages that have been opened" in text
    assert "unread" in dialog.editors["retention_days"].toolTip()
    # above the first setting, where it is read before a change
    first = dialog.editors["lock_timeout_minutes"]
    assert scope.mapTo(dialog, scope.rect().topLeft()).y() < \
        first.mapTo(dialog, first.rect().topLeft()).y()
    dialog.reject()
