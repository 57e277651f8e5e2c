"""One sample of every annotation kind, shared by the document and render tests."""

from __future__ import annotations

from medsnap.document import (
    Arrow, Ellipse, Highlighter, Line, Marker, Pen, Rect, Rectangle, Redaction,
    RedactionBrush, Style, Text,
)


def one_of_each() -> list:
    return [
        Arrow(start=(10, 10), end=(80, 60), style=Style(colour="#FF0000", width=6)),
        Line(start=(5.5, 90), end=(95, 90.25)),
        Rectangle(rect=Rect(20, 20, 40, 30), style=Style(fill="#00FF0080")),
        Ellipse(rect=Rect(30, 40, 25, 15), style=Style(colour="#0000FFCC", width=2.5)),
        Pen(points=((1, 1), (2, 3), (5, 8), (13, 21))),
        Highlighter(points=((10, 50), (90, 50))),
        Text(text="Fracture here\nsee report", position=(12, 70), box_width=120.0,
             style=Style(font_size=14)),
        Text(text="", position=(0, 0)),
        Marker(number=3, centre=(70, 20), style=Style(font_size=18)),
        Redaction(rect=Rect(0, 0, 10.5, 7.25)),
        RedactionBrush(points=((40, 40), (44, 46)), width=9),
    ]
