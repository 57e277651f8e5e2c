"""The viewer's verification banner keeps its room: every line of "Checked: …" shows inside
the coloured box, also when the verdict is restyled while the viewer is on screen."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from medsnap.ui.icons import style_sheet
from medsnap.ui.letter_viewer import LetterViewer
from medsnap.ui.messaging_panels import messaging_style_sheet

VERIFIED = ("<b>✓ Verified: signed by Dr Ada Okafor and unaltered.</b><br><small>Checked: "
            "certificate chain to the hospital root; manifest signature; sender matches "
            "certificate; addressed to you; issue and expiry times; not seen before; every "
            "part's hash and size.</small>")


def test_the_verdict_shows_all_its_lines_inside_its_box(qtbot):
    app = QApplication.instance()
    before = app.styleSheet()
    app.setStyleSheet(style_sheet())
    try:
        viewer = LetterViewer(True)
        qtbot.addWidget(viewer)
        viewer.setStyleSheet(messaging_style_sheet())
        viewer.show()
        qtbot.waitExposed(viewer)
        viewer._verdict("ok", VERIFIED)  # restyled for its tone while shown, as in the app
        viewer.resize(900, 680)
        qtbot.wait(100)
        verdict = viewer.verdict
        inside = verdict.contentsRect()
        assert inside.top() >= 4 and inside.left() >= 4  # text off the box's border
        text = QTextDocument()
        text.setDefaultFont(verdict.font())
        text.setDocumentMargin(0)
        text.setHtml(VERIFIED)
        text.setTextWidth(inside.width())
        assert text.size().height() <= inside.height() + 1, (text.size(), inside)
    finally:
        app.setStyleSheet(before)
