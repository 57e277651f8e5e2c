"""Review of the NU6 send panel: the Send button names who the picture goes to (the card can be
scrolled away above it), and offline, with large fonts, the colleague list keeps at least one
row (its height was 88 px less the offline line's: below one row, or negative)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from medsnap.ui.colleague_picker import LIST_HEIGHT, ColleaguePicker
from medsnap.ui.send_panel_button import SendButton

LONG_NAME = "Dr Alexandra Wolstenholme-Fitzgerald"
KEYS_TIP = "Send the picture to the chosen colleague (Ctrl+Return)"  # as window_actions says


def _row(qtbot, width: int = 320):
    """Preview and Send side by side, as in the panel (Send takes the rest of the row)."""
    row = QWidget()
    qtbot.addWidget(row)
    layout = QHBoxLayout(row)
    layout.addWidget(QPushButton("Preview as sent", row))
    send = SendButton(row)
    layout.addWidget(send, 1)
    row.resize(width, 40)
    row.show()
    qtbot.waitExposed(row)
    return row, send


def test_send_names_the_colleague_shortened_to_fit_whole_in_the_tooltip(qtbot):
    row, send = _row(qtbot)
    send.setToolTip(KEYS_TIP)
    assert send.shown_text() == "Send" and send.toolTip() == KEYS_TIP  # nobody chosen
    width, hint = send.width(), send.sizeHint()

    send.show_recipient("Dr Ben Hughes")
    assert send.shown_text() == "Send to Dr Ben Hughes"
    assert send.toolTip().splitlines() == ["Send to Dr Ben Hughes", KEYS_TIP]
    assert send.accessibleName() == "Send to Dr Ben Hughes"

    send.show_recipient(LONG_NAME)
    shown = send.shown_text()
    assert shown.startswith("Send to Dr") and shown.endswith("…")
    assert f"Send to {LONG_NAME}".startswith(shown[:-1])
    assert send.fontMetrics().horizontalAdvance(shown) <= send._text_room()
    assert LONG_NAME in send.toolTip() and "Ctrl+Return" in send.toolTip()
    assert send.accessibleName() == f"Send to {LONG_NAME}"
    # the name moves nothing: the row keeps its widths, the dock is not widened
    assert send.width() == width and send.sizeHint() == hint

    row.resize(900, 40)  # room for all of it: all of it is said
    qtbot.waitUntil(lambda: send.shown_text() == f"Send to {LONG_NAME}", timeout=2000)
    row.resize(200, 40)  # hardly any room: "Send", never a clipped "Send t…" or "Se…"
    qtbot.waitUntil(lambda: send.width() < 120, timeout=2000)
    shown = send.shown_text()
    assert shown == "Send" or (shown.startswith("Send to Dr") and shown.endswith("…")), shown

    send.show_recipient("")  # Change: nobody chosen again
    assert send.shown_text() == "Send" and send.toolTip() == KEYS_TIP


def test_an_ampersand_in_a_name_is_shown_not_taken_as_a_shortcut(qtbot):
    _row_widget, send = _row(qtbot, 600)
    send.show_recipient("Ward 7 & 8 Sister")
    assert send.text() == "Send to Ward 7 && 8 Sister"
    assert send.shown_text() == "Send to Ward 7 & 8 Sister"


def test_offline_the_list_keeps_one_row_with_large_fonts(qtbot, tmp_path):
    picker = ColleaguePicker(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(picker)
    font = picker.font()
    font.setPixelSize(48)  # a large accessibility font: the offline line alone is > 88 px
    picker.setFont(font)
    picker.resize(300, 800)
    picker.show()
    qtbot.waitExposed(picker)
    picker.show_offline(True)
    row = 2 * picker.list.fontMetrics().lineSpacing() + 2 * picker.list.frameWidth()
    assert picker.list.maximumHeight() >= row  # was 88 - the line's height: negative here
    assert picker.list.maximumHeight() >= picker.one_row_height()
    picker.show_offline(False)
    assert picker.list.maximumHeight() >= row

    small = picker.font()
    small.setPixelSize(12)  # the usual size: offline, the line's room comes out of the list's
    picker.setFont(small)
    picker.show_offline(True)
    assert picker.list.maximumHeight() < LIST_HEIGHT
    picker.show_offline(False)
    assert picker.list.maximumHeight() == LIST_HEIGHT
