"""The window's "Preview as sent" encodes at the JPEG quality in force: the policy's when
it sets one (locked), else the clinician's own setting, else 90. The status bar's size of the
clean copy is the size of exactly those bytes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from medsnap.document import Document
from medsnap.imaging import load_picture
from medsnap.ui.sent_preview import sent_bytes
from tests.policy_obeyed_support import photo_jpeg, write_policy
from tests.ui.ui_support import make_window, open_and_wait, settings_path  # noqa: F401


def _preview_kb(qtbot, window, source) -> str:
    open_and_wait(qtbot, window, source)
    window.actions.preview.trigger()
    qtbot.waitUntil(lambda: window.canvas.sent_preview is not None, timeout=10000)
    return window.status.currentMessage()


def _kb(source, quality: int) -> str:
    size = len(sent_bytes(Document(load_picture(source)), quality))
    return f"{size / 1024:.0f} KB"


@pytest.mark.parametrize("policy", ["", "jpeg_quality = 60\n"], ids=["user", "policy"])
def test_preview_as_sent_uses_the_quality_in_force(qtbot, make_window, settings_path,
                                                    tmp_path, monkeypatch, policy):
    if policy:
        monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(write_policy(tmp_path, policy)))
    QSettings(settings_path, QSettings.Format.IniFormat).setValue("jpeg_quality", 70)
    source = photo_jpeg(tmp_path / "photo.jpg", (800, 600))
    expected = _kb(source, 60 if policy else 70)
    assert expected != _kb(source, 90) and _kb(source, 60) != _kb(source, 70)
    assert expected in _preview_kb(qtbot, make_window(), source)
