"""After a refused send the note comes back only when nothing can get that letter through (the
colleague can no longer receive); a refusal a Retry may pass leaves the letter waiting in Sent
and the panel as sent, so Retry plus Send do not make two letters (review)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from medsnap.ui.send_panel import SendPanel


@pytest.fixture
def panel(qtbot, tmp_path):
    made = SendPanel(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.note.setPlainText("bed 4, left ankle")
    made.declaration.setCurrentIndex(made.declaration.findData("direct-care"))
    made.reset_after_send()
    return made


def test_a_refusal_retry_may_pass_keeps_the_panel_as_sent(panel, qtbot):
    with qtbot.assertNotEmitted(panel.nothing_sent):
        panel.refused("Dr Rae", "The MedSnap endpoint refused this: rate limited")
    assert panel.note.toPlainText() == "" and "Not sent to Dr Rae" in panel.outcome.text()


def test_a_colleague_who_cannot_receive_gives_the_note_back(panel, qtbot):
    with qtbot.waitSignal(panel.nothing_sent):
        panel.refused("Dr Rae", "Dr Rae cannot receive messages (disabled)")
    assert panel.note.toPlainText() == "bed 4, left ankle"
    assert panel.declaration.currentData() == "direct-care"
