"""Drawing without a mouse: the pointer path that places a tool's annotation from the keyboard.

A clinician who cannot use a mouse (or has none at a ward trolley) zooms so that what matters
is in the middle of the view and presses Enter: the active tool then draws a default-sized
annotation there, as if dragged, which the select tool can move and resize with the arrow
keys. The gesture goes through the tool's own press/move/release, so the result is exactly
what a mouse would have made (styles, ids, minimum sizes, undo labels).
"""

from __future__ import annotations

from medsnap.document.geometry import Point

#: tools that place one thing where they are pressed; the rest are dragged across a box
PRESSED_TOOLS = frozenset({"marker", "text"})
#: tools that take no keyboard gesture (the crop has its own size box; select picks)
NOT_DRAWN = frozenset({"select", "crop"})


def keyboard_path(tool_id: str, centre: Point, width: float, height: float) -> list[Point]:
    """The pointer positions (press, moves..., release) for ``tool_id`` around ``centre``.

    ``width`` x ``height`` is the box the annotation should fill. An arrow ends at the centre
    (its head on what is in the middle of the view); lines and strokes cross the box at its
    middle; boxes and ellipses fill it.
    """
    if tool_id in NOT_DRAWN:
        raise ValueError(f"the {tool_id} tool does not draw")
    cx, cy = centre
    if tool_id in PRESSED_TOOLS:
        return [centre]
    left, right = cx - width / 2, cx + width / 2
    if tool_id == "arrow":
        return [(left, cy + height / 2), centre]
    if tool_id in ("line", "pen", "highlighter", "redaction-brush"):
        steps = 8  # strokes keep samples a little apart: several points, one straight line
        return [(left + (right - left) * i / steps, cy) for i in range(steps + 1)]
    return [(left, cy - height / 2), (right, cy + height / 2)]
