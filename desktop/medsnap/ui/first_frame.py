"""Work that waits for the window's first frame: it runs once the first paint, and whatever
was queued with it, has been handled, so it never delays what the clinician first sees."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer


def after_first_frame(receiver: QObject, slot: Callable[[], None]) -> None:
    """Call ``slot`` after the events queued now (call it while the first frame is painted);
    not at all if ``receiver`` is gone by then."""
    QTimer.singleShot(0, receiver, lambda: QTimer.singleShot(0, receiver, slot))
