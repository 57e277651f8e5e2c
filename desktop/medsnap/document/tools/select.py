"""The select tool: pick the topmost annotation, move it, resize it by its handles,
restyle, nudge or delete it. Every change comes back as one ReplaceAnnotation/RemoveAnnotation.

A redaction is not moved by dragging its body: one careless drag would uncover the name it
hides, with nothing on screen to say so. It moves with the arrow keys and resizes by its
handles, both deliberate."""

from __future__ import annotations

import dataclasses

from medsnap.document.annotations import Annotation, RedactionBrush
from medsnap.document.edits import Edit, RemoveAnnotation, ReplaceAnnotation, kind_name
from medsnap.document.geometry import Point
from medsnap.document.style import Style
from medsnap.document.tools.base import PointerEvent, Tool, estimated_bounds
from medsnap.document.tools.handles import (
    as_painted, handle_at, handle_points, keyboard_handle, resized,
)
from medsnap.document.tools.hit import annotation_at


class SelectTool(Tool):
    tool_id = "select"
    styled = False
    hint = ("Click or Enter selects, Tab the next; drag or arrows move, handles or "
            "Ctrl+arrows resize.")

    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self.selected_id: str | None = None
        self._original: Annotation | None = None
        self._handle: str | None = None  # None while moving
        self._start: Point | None = None
        self._current: Annotation | None = None

    # -- reading -----------------------------------------------------------------------
    def selected(self) -> Annotation | None:
        if self.selected_id is None:
            return None
        found = self.document.find(self.selected_id)
        if found is None:
            self.selected_id = None  # removed by undo or delete
        return found

    def shown_selection(self) -> Annotation | None:
        """The selection as it looks right now (mid-drag: where it is being dragged)."""
        return self._current if self._current is not None else self.selected()

    def hidden_ids(self) -> set[str]:
        """Annotations the canvas should not paint because preview() replaces them."""
        return {self._original.id} if self._current is not None and self._original else set()

    # -- gestures ----------------------------------------------------------------------
    def press(self, event: PointerEvent) -> Edit | None:
        current = self.selected()
        scale = event.pixels_per_screen_pixel
        handle = (handle_at(handle_points(current, self.measure), event.point, scale)
                  if current else None)
        if handle is None:
            current = annotation_at(self.document, event.point, scale, self.measure)
            self.selected_id = current.id if current else None
            if current is not None and current.redacts:
                return None  # selected, not dragged: a slip of the mouse must not uncover a name
        if current is None:
            return None
        self._original, self._handle, self._start = current, handle, event.point
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        if self._original is None or self._start is None:
            return None
        if self._handle is None:
            dx, dy = event.x - self._start[0], event.y - self._start[1]
            painted = as_painted(self._original, self.measure)
            self._current = painted.moved(dx, dy) if (dx or dy) else None
        else:
            painted = as_painted(self._original, self.measure)
            self._current = resized(painted, self._handle, event.point)
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        if self._original is None:
            return None
        self.move(event)
        before, after, handle = self._original, self._current, self._handle
        self.cancel()
        if after is None or after == before:
            return None
        verb = "Move" if handle is None else "Resize"
        return ReplaceAnnotation(before, after, label=f"{verb} {kind_name(before)}")

    def preview(self) -> Annotation | None:
        return self._current

    def cancel(self) -> None:
        self._original = self._handle = self._start = self._current = None

    @property
    def busy(self) -> bool:
        return self._original is not None

    # -- commands on the selection -----------------------------------------------------
    def delete_selected(self) -> Edit | None:
        current = self.selected()
        if current is None:
            return None
        self.selected_id = None
        return RemoveAnnotation(current)

    def nudge(self, dx: float, dy: float) -> Edit | None:
        current = self.selected()
        if current is None:
            return None
        moved = as_painted(current, self.measure).moved(dx, dy)
        return ReplaceAnnotation(current, moved, label=f"Move {kind_name(current)}")

    def step_selection(self, backwards: bool = False) -> Annotation | None:
        """Select the next annotation in drawing order (Tab from the keyboard), wrapping;
        with nothing selected, the last one drawn (or the first, going forwards)."""
        annotations = self.document.annotations
        if not annotations:
            return None
        current = self.selected()
        if current is None:
            index = 0 if not backwards else len(annotations) - 1
        else:
            index = (self.document.index_of(current.id) + (-1 if backwards else 1)) % len(annotations)
        self.selected_id = annotations[index].id
        return annotations[index]

    def grow(self, dx: float, dy: float) -> Edit | None:
        """Resize the selection from the keyboard: move its far corner (a box's bottom
        right, a line's end, a callout's right edge) by ``dx``, ``dy``."""
        current = self.selected()
        handle = keyboard_handle(current, self.measure) if current is not None else None
        if current is None or handle is None:
            return None
        x, y = handle_points(current, self.measure)[handle]
        changed = resized(as_painted(current, self.measure), handle, (x + dx, y + dy))
        if changed == current:
            return None
        return ReplaceAnnotation(current, changed, label=f"Resize {kind_name(current)}")

    def restyle(self, colour: str | None = None, width: float | None = None) -> Edit | None:
        """Recolour or change the width of the selection (redactions stay black)."""
        current = self.selected()
        if current is None:
            return None
        if isinstance(current, RedactionBrush):
            changed = current if width is None else dataclasses.replace(current, width=width)
        elif current.redacts:
            return None
        else:
            style: Style = current.style
            if colour is not None:
                style = dataclasses.replace(style, colour=colour)
            if width is not None:
                if current.kind in ("text", "marker"):
                    style = dataclasses.replace(style, font_size=width)
                else:
                    style = dataclasses.replace(style, width=width)
            changed = dataclasses.replace(current, style=style)
        if changed == current:
            return None
        return ReplaceAnnotation(current, changed, label=f"Restyle {kind_name(current)}")
