"""The welcome screen at a large scale factor on a small screen (QT_SCALE_FACTOR=2 on
1920x1080 leaves ~960x540): the three cards stack and the page scrolls, so no card's text is
cut; wide, they stay side by side."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QBoxLayout, QLabel
from ui_support import memory_keystore

from medsnap.ui.messaging_window import attach_messaging


def _text_fits(label: QLabel) -> bool:
    """Every line of the label is shown: as wide and as tall as it needs at its width."""
    needed = label.heightForWidth(label.width()) if label.wordWrap() else \
        label.sizeHint().height()
    return label.width() >= label.minimumSizeHint().width() and label.height() >= needed


def _welcome(qtbot, make_window, width: int, height: int):
    window = make_window(width, height)
    ui = attach_messaging(window, home=Path(tempfile.mkdtemp(prefix="medsnap-welcome-")),
                          keystore=memory_keystore())
    screen = ui.first_run
    qtbot.waitUntil(screen.isVisible, timeout=5000)
    window.resize(width, height)
    qtbot.waitUntil(lambda: screen.width() == window.width(), timeout=5000)
    qtbot.wait(50)  # the layouts settle
    return window, ui, screen


def test_at_scale_two_on_full_hd_every_card_shows_all_its_text(qtbot, make_window, qapp):
    """960x540: what QT_SCALE_FACTOR=2 leaves of a 1920x1080 screen, where the demo card's
    text was cut ("on th…")."""
    window, ui, screen = _welcome(qtbot, make_window, 960, 540)
    try:
        viewport = screen.scroll.viewport()
        for frame in screen.card_frames:
            assert frame.mapTo(viewport, frame.rect().topRight()).x() <= viewport.width()
            for label in frame.findChildren(QLabel):
                assert _text_fits(label), label.text()
    finally:
        ui.shutdown()


def test_narrow_welcome_stacks_the_cards_and_shows_all_their_text(qtbot, make_window, qapp):
    window, ui, screen = _welcome(qtbot, make_window, 620, 480)
    try:
        assert screen.cards.direction() == QBoxLayout.Direction.TopToBottom
        viewport = screen.scroll.viewport()
        for frame in screen.card_frames:
            assert frame.width() <= viewport.width()  # no card runs off the right edge
            for label in frame.findChildren(QLabel):
                assert _text_fits(label), label.text()
        assert _text_fits(screen.demo_text)
        page = screen.scroll.widget()
        assert page.height() > viewport.height()  # taller than the window: it scrolls
        assert screen.scroll.verticalScrollBar().maximum() > 0
        screen.scroll.ensureWidgetVisible(screen.demo_button)  # the last card is reachable
        qtbot.wait(20)
        corner = screen.demo_button.mapTo(viewport, screen.demo_button.rect().bottomRight())
        assert viewport.rect().contains(corner)
    finally:
        ui.shutdown()


def test_wide_welcome_keeps_the_cards_side_by_side(qtbot, make_window, qapp):
    window, ui, screen = _welcome(qtbot, make_window, 1280, 800)
    try:
        assert screen.cards.direction() == QBoxLayout.Direction.LeftToRight
        tops = {frame.y() for frame in screen.card_frames}
        assert len(tops) == 1
        for frame in screen.card_frames:
            for label in frame.findChildren(QLabel):
                assert _text_fits(label), label.text()
    finally:
        ui.shutdown()
