"""A note made of one long unbroken word (a pasted token or URL) on the real windows (NU5):
it made the message viewer 24,900 px wide, off the screen, so the receiver could not see the
picture. The send panel's note, the Sent list's details and tooltip, the inbox row and the
viewer wrap it, and no window grows wider than the screen."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import (choose_colleague, no_draft_left, running_ward,
                                  signed_in_window)

TOKEN = "x" * 3000


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Lena Long", "Registrar"), ("Mo Wide", "Consultant")) as ward:
        yield ward


@contextmanager
def window_of(qtbot, make_window, ward, name, picture=None):
    with signed_in_window(qtbot, make_window, ward, name, picture) as (window, ui):
        try:
            yield window, ui
        finally:
            no_draft_left(ui)


def narrow_enough(widget) -> bool:
    """Its layout could be made as narrow as the screen (the token asks for 21,000 px)."""
    return widget.minimumSizeHint().width() <= widget.screen().availableGeometry().width()


def test_a_long_unbroken_note_never_widens_a_window(qtbot, make_window, ward, grey_png):
    with window_of(qtbot, make_window, ward, "Lena Long", grey_png) as (window, ui):
        width = window.width()
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "Wide")
        panel.note.setPlainText(TOKEN)
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        qtbot.wait(50)
        assert window.width() == width and narrow_enough(window)
        with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
            QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        assert sent.args[1] == "sent", panel.outcome.text()

        outbox = ui.outbox_view
        ui.tabs.setCurrentWidget(outbox)
        qtbot.waitUntil(lambda: outbox.tree.topLevelItemCount() == 1, timeout=10000)
        row = outbox.tree.topLevelItem(0)
        outbox.tree.setCurrentItem(row)
        outbox.tree.itemActivated.emit(row, 0)  # the details under the list
        qtbot.waitUntil(lambda: outbox.details.isVisible(), timeout=5000)
        qtbot.wait(50)
        assert window.width() == width and narrow_enough(window)
        assert outbox.minimumSizeHint().width() < 400  # the panel's width, not the token's
        assert max(len(line) for line in row.toolTip(0).splitlines()) <= 72
        assert "".join(row.toolTip(0).split()).count("x") == len(TOKEN)  # all of it, cut

    with window_of(qtbot, make_window, ward, "Mo Wide") as (window, ui):
        tree = ui.inbox_view.tree
        qtbot.waitUntil(lambda: tree.topLevelItemCount() == 1, timeout=20000)
        row = tree.topLevelItem(0)
        assert max(len(line) for line in row.toolTip(0).splitlines()) <= 72
        with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
            tree.itemActivated.emit(row, 0)
        viewer = ui.viewer
        qtbot.waitUntil(viewer.isVisible, timeout=5000)
        qtbot.wait(50)
        area = viewer.screen().availableGeometry()
        assert narrow_enough(viewer) and viewer.frameGeometry().width() <= area.width()
        assert viewer.geometry().left() >= area.left()
        assert viewer.note.text() == TOKEN  # whole, and copied exactly as sent
        assert viewer.note.height() < viewer.height() / 3  # it scrolls; the picture has room
        assert viewer.view.width() > viewer.width() * 0.8 and viewer.view.height() > 200
        viewer.close()
