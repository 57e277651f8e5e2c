"""``Qt``, the namespace of Qt's enums, set up when first used rather than when imported.

PySide6 creates all ~90 enum classes of ``PySide6.QtCore.Qt`` (Key, AlignmentFlag, CursorShape
...) the first time that name is looked up: ~18 ms of Python's enum machinery, more than a
tenth of a bare window's start-up. The editor's first frame needs none of them, so the modules
it imports take ``Qt`` from here; ``Qt.Key.Key_Space`` reads as usual and the cost falls after
the first paint. tests/ui/test_start_up.py checks that the first frame does not set it up.
"""

from __future__ import annotations

from typing import Any


class _QtOnFirstUse:
    def __getattr__(self, name: str) -> Any:
        from PySide6.QtCore import Qt

        value = getattr(Qt, name)
        setattr(self, name, value)  # later look-ups are plain attributes
        return value


Qt: Any = _QtOnFirstUse()
