"""What the tool strip and menus show for each annotation tool, without importing the tools.

Importing ``medsnap.document`` (the model and the tool state machines) costs start-up time, so
the window is built from this light copy and the tools load when a picture opens. It must
match ``medsnap.document.tools.TOOLS`` (tests/ui/test_tool_catalogue.py checks every field).
"""

from __future__ import annotations

from typing import NamedTuple


class ToolEntry(NamedTuple):
    tool_id: str
    key: str
    label: str
    #: what the width picker sets: "width" (stroke), "size" (font) or None (no picker)
    size_kind: str | None
    #: whether the colour and width pickers apply
    styled: bool
    hint: str


TOOLS: tuple[ToolEntry, ...] = (
    ToolEntry("select", "S", "Select", None, False,
              "Click or Enter selects, Tab the next; drag or arrows move, handles or "
              "Ctrl+arrows resize."),
    ToolEntry("crop", "C", "Crop", None, False,
              "Drag to choose the part to send; drag the handles to adjust. "
              "Enter the exact size in the crop bar."),
    ToolEntry("arrow", "A", "Arrow", "width", True,
              "Drag from what you point at to where the head goes. Shift keeps 45° angles."),
    ToolEntry("line", "L", "Line", "width", True,
              "Drag to draw a line. Shift keeps 45° angles."),
    ToolEntry("rectangle", "R", "Rectangle", "width", True,
              "Drag to draw a rectangle. Shift draws a square."),
    ToolEntry("ellipse", "E", "Ellipse", "width", True,
              "Drag to draw an ellipse. Shift draws a circle."),
    ToolEntry("pen", "P", "Pen", "width", True, "Drag to draw freehand."),
    ToolEntry("highlighter", "H", "Highlighter", "width", True,
              "Drag over text to highlight it; the text stays readable."),
    ToolEntry("text", "T", "Text", "size", True,
              "Click where the callout goes and type; Enter adds a line, Ctrl+Enter or a "
              "click outside finishes."),
    ToolEntry("marker", "N", "Numbered marker", "size", True,
              "Click to place the next number; refer to it in your note. Replying to "
              "numbers? Raise Next to carry on from them."),
    ToolEntry("redaction", "X", "Redact box", None, False,
              "Drag over an identifier, or press Enter, to black it out. "
              "The pixels underneath are destroyed."),
    ToolEntry("redaction-brush", "B", "Redaction brush", "width", True,
              "Paint over an identifier to black it out. The pixels underneath are destroyed."),
)
TOOLS_BY_ID: dict[str, ToolEntry] = {entry.tool_id: entry for entry in TOOLS}
