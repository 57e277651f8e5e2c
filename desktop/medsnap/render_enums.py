"""The Qt enum types the painters (render, render_text) use, made before a worker thread paints.

PySide6 makes an enum type the first time it is looked up. Two threads looking up the same one
at once crashed the process (a segmentation fault inside PySide6: the canvas and a send's
export each painting their first redaction). So the thread that starts a render job - the UI
thread - makes them first, with ``make_render_enums()``; once per process, and never before
the first frame (ui/qt_enums says why that matters).
"""

from __future__ import annotations

_made = False


def make_render_enums() -> None:
    global _made
    if _made:
        return
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QImage, QPainter, QTextOption

    for enum_type in (QPainter.CompositionMode, QPainter.RenderHint, QImage.Format,
                      QTextOption.WrapMode, QFont.StyleStrategy, QFont.Weight, Qt.BrushStyle,
                      Qt.PenStyle, Qt.PenCapStyle, Qt.PenJoinStyle, Qt.AlignmentFlag,
                      Qt.TextFlag, Qt.GlobalColor):
        next(iter(enum_type))  # its members made too, not only the type's name
    _made = True
