"""Annotation tools as pure state machines (no Qt): press/move/release -> Edit | None.

``TOOLS`` lists every tool in toolbar order with its permanent id, its one-key shortcut and
the label a person reads. Add tools at the end; never rename an id or reuse a key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from medsnap.document.model import Document
from medsnap.document.style import HIGHLIGHTER_STYLE, REDACTION_STYLE, Style
from medsnap.document.tools.base import (
    Buttons, Measure, Modifiers, PointerEvent, Tool, estimated_bounds)
from medsnap.document.tools.crop import CropTool, clamp_crop, crop_edit
from medsnap.document.tools.keyboard import NOT_DRAWN, keyboard_path
from medsnap.document.tools.marker import MarkerTool, next_number
from medsnap.document.tools.select import SelectTool
from medsnap.document.tools.shapes import (
    ArrowTool, EllipseTool, LineTool, RectangleTool, RedactionTool)
from medsnap.document.tools.strokes import HighlighterTool, PenTool, RedactionBrushTool
from medsnap.document.tools.text import TextRequest, TextTool


@dataclass(frozen=True)
class ToolInfo:
    tool_id: str
    key: str
    label: str
    cls: type[Tool]
    #: what the width picker sets: "width" (stroke), "size" (font) or None (no picker)
    size_kind: str | None = "width"


TOOLS: tuple[ToolInfo, ...] = (
    ToolInfo("select", "S", "Select", SelectTool, None),
    ToolInfo("crop", "C", "Crop", CropTool, None),
    ToolInfo("arrow", "A", "Arrow", ArrowTool),
    ToolInfo("line", "L", "Line", LineTool),
    ToolInfo("rectangle", "R", "Rectangle", RectangleTool),
    ToolInfo("ellipse", "E", "Ellipse", EllipseTool),
    ToolInfo("pen", "P", "Pen", PenTool),
    ToolInfo("highlighter", "H", "Highlighter", HighlighterTool),
    ToolInfo("text", "T", "Text", TextTool, "size"),
    ToolInfo("marker", "N", "Numbered marker", MarkerTool, "size"),
    ToolInfo("redaction", "X", "Redact box", RedactionTool, None),
    ToolInfo("redaction-brush", "B", "Redaction brush", RedactionBrushTool),
)
TOOLS_BY_ID: dict[str, ToolInfo] = {info.tool_id: info for info in TOOLS}


def style_for(tool_id: str, colour: str, size: float) -> Style:
    """The Style a tool draws with, from the clinician's colour and width/size choice."""
    info = TOOLS_BY_ID[tool_id]
    if tool_id in ("redaction", "redaction-brush"):
        return dataclasses.replace(REDACTION_STYLE, width=size) if size > 0 else REDACTION_STYLE
    if tool_id == "highlighter":
        return dataclasses.replace(HIGHLIGHTER_STYLE, colour=colour, width=size)
    if info.size_kind == "size":
        return Style(colour=colour, font_size=size)
    return Style(colour=colour, width=size)


def make_tool(tool_id: str, document: Document, style: Style | None = None,
              measure: Measure = estimated_bounds) -> Tool:
    return TOOLS_BY_ID[tool_id].cls(document, style or Style(), measure)


#: widths and sizes the clinician picks are relative to a picture this wide
REFERENCE_SIDE = 1600


def size_unit(document: Document) -> float:
    """Image pixels per picked width unit: 1 up to 1600-pixel pictures, more beyond, so an
    arrow drawn with width 4 looks the same on a screenshot and on a 12-megapixel photo."""
    return max(1.0, max(document.size) / REFERENCE_SIDE)


__all__ = [
    "Buttons", "Modifiers", "PointerEvent", "Tool", "ToolInfo", "TOOLS", "TOOLS_BY_ID",
    "style_for", "make_tool", "size_unit", "Measure", "estimated_bounds", "crop_edit", "clamp_crop", "next_number", "TextRequest",
    "SelectTool", "CropTool", "ArrowTool", "LineTool", "RectangleTool", "EllipseTool",
    "PenTool", "HighlighterTool", "TextTool", "MarkerTool", "RedactionTool",
    "RedactionBrushTool", "keyboard_path", "NOT_DRAWN",
]
