"""Admin policy in the editor (policy file via MEDSNAP_POLICY_FILE) and the settings dialog
derived from medsnap.config: locked rows greyed out, the user's choices in QSettings."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox

from medsnap.config import POLICY_FILE_ENV, SETTINGS
from medsnap.exporting import export_bytes
from medsnap.ui.editor_policy import load_editor_config
from medsnap.ui.settings_dialog import ADMIN_NOTE, SettingsDialog
from ui_support import open_and_wait


@pytest.fixture
def policy(tmp_path, monkeypatch):
    path = tmp_path / "policy.toml"
    monkeypatch.setenv(POLICY_FILE_ENV, str(path))

    def write(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
    write("")
    return write


def test_policy_forbids_saving_and_copying(qtbot, make_window, grey_png, policy):
    policy("allow_save_copy = false\nallow_copy = false\n")
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    actions = window.actions
    assert not actions.save_copy.isVisible() and not actions.save_copy.isEnabled()
    assert not actions.copy_image.isVisible() and not actions.copy_image.isEnabled()
    QGuiApplication.clipboard().setText("untouched")
    window.copy_image()
    window.save_copy()  # no file dialog opens: it would block here
    qtbot.wait(100)
    assert QGuiApplication.clipboard().text() == "untouched"
    assert not window.jobs.busy


def test_defaults_allow_saving_but_not_copying(qtbot, make_window, grey_png, policy):
    window = make_window()
    qtbot.waitUntil(lambda: not window.actions.copy_image.isVisible(), timeout=3000)
    assert window.actions.save_copy.isVisible() and not window.actions.save_copy.isEnabled()
    open_and_wait(qtbot, window, grey_png)
    assert window.actions.save_copy.isVisible() and window.actions.save_copy.isEnabled()
    assert not window.actions.copy_image.isVisible()


def test_copy_puts_the_clean_pixels_on_the_clipboard(qtbot, make_window, pattern_png, policy):
    policy("allow_copy = true\n")
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    assert window.actions.copy_image.isVisible() and window.actions.copy_image.isEnabled()
    QGuiApplication.clipboard().setText("before")
    window.actions.copy_image.trigger()
    qtbot.waitUntil(lambda: not QGuiApplication.clipboard().image().isNull(), timeout=10000)
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (400, 300)
    assert image.pixelColor(300, 50).green() == 255 and image.pixelColor(300, 50).red() == 0
    assert image.pixelColor(100, 250).blue() == 255


def test_jpeg_copies_use_the_policy_quality(qtbot, make_window, pattern_png, policy, tmp_path):
    policy("jpeg_quality = 55\n")
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    target = tmp_path / "copy.jpg"
    window.sent_preview.save_to(str(target), "jpeg")
    qtbot.waitUntil(target.exists, timeout=10000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10000)
    written = target.read_bytes()
    assert written == export_bytes(window.document, "jpeg", 55)
    assert written != export_bytes(window.document, "jpeg", 90)


def test_largest_picture_comes_from_policy(qtbot, make_window, policy):
    policy("max_megapixels = 1\n")
    window = make_window()
    data = io.BytesIO()
    Image.new("RGB", (1200, 1000), (10, 20, 30)).save(data, "PNG")
    with qtbot.waitSignal(window.error_shown, timeout=10000) as shown:
        window.open_bytes(data.getvalue(), "big scan")
    assert "more than the 1.0 megapixels that your hospital's policy file" in shown.args[0]
    assert window.document is None


def test_settings_dialog_rows_locks_and_stored_choices(qtbot, policy, settings_path):
    policy("allow_copy = true\nlock_timeout_minutes = 10\n")
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    dialog = SettingsDialog(load_editor_config(settings), settings)
    qtbot.addWidget(dialog)
    kinds = {bool: QCheckBox, int: QSpinBox, str: QLineEdit}
    for setting in SETTINGS:
        assert isinstance(dialog.editors[setting.key], kinds[setting.type]), setting.key
    quality = dialog.editors["jpeg_quality"]
    assert (quality.minimum(), quality.maximum(), quality.value()) == (50, 95, 90)
    locked = dialog.editors["lock_timeout_minutes"]
    assert not locked.isEnabled() and locked.value() == 10
    assert dialog.findChild(type(dialog.problem), "lock_timeout_minutes_locked").text() \
        == ADMIN_NOTE
    assert not dialog.editors["allow_copy"].isEnabled()
    assert dialog.editors["retention_days"].isEnabled()
    assert dialog.findChild(type(dialog.problem), "retention_days_locked") is None

    dialog.editors["retention_days"].setValue(7)
    dialog.editors["allow_save_copy"].setChecked(False)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    reread = QSettings(settings_path, QSettings.Format.IniFormat)
    assert reread.value("retention_days") in (7, "7")
    config = load_editor_config(reread)
    assert config["retention_days"] == 7 and config.entry("retention_days").source == \
        "user settings"
    assert config["allow_save_copy"] is False
    assert config["lock_timeout_minutes"] == 10 and config.is_locked("lock_timeout_minutes")
    assert not reread.contains("lock_timeout_minutes")  # locked values are never stored
    assert not reread.contains("jpeg_quality")  # unchanged values are not pinned


def test_the_endpoint_and_pin_are_shown_whole_but_only_it_sets_them(qtbot, policy,
                                                                    settings_path):
    """They were saved to the user's settings and then never used: now the dialog says that
    only IT sets them, and a value left in the user's settings by then is ignored."""
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    settings.setValue("endpoint_url", "https://stale.example")
    dialog = SettingsDialog(load_editor_config(settings), settings)
    qtbot.addWidget(dialog)
    dialog.show()
    for key in ("endpoint_url", "root_fingerprint"):
        editor = dialog.editors[key]
        assert not editor.isEnabled() and editor.text() == ""
        assert editor.placeholderText() == "not set: ask IT"
        assert dialog.findChild(type(dialog.problem), f"{key}_it_only").isVisible()
        # wide enough for a whole fingerprint (it showed only its last characters)
        editor.setText("ab" * 32)
        assert editor.width() >= editor.fontMetrics().horizontalAdvance("ab" * 32)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert load_editor_config(settings)["endpoint_url"] == ""


def test_settings_from_the_window_apply_at_once(qtbot, make_window, grey_png, policy):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.actions.settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.editors["allow_copy"].setChecked(True)
    dialog.editors["allow_save_copy"].setChecked(False)
    dialog.accept()
    assert window.actions.copy_image.isVisible() and window.actions.copy_image.isEnabled()
    assert not window.actions.save_copy.isVisible()
