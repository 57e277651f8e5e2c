"""The crop tool: drag a new crop, drag its handles or drag it inside to move it.

The crop is always whole pixels inside the picture. ``crop_edit`` serves the numeric entry.
"""

from __future__ import annotations

from medsnap.document.edits import Edit, SetCrop
from medsnap.document.geometry import Point, Rect
from medsnap.document.model import Document
from medsnap.document.tools.base import PointerEvent, Tool, clamp, estimated_bounds
from medsnap.document.tools.handles import box_handle_points, handle_at, resize_rect


def clamp_crop(document: Document, rect: Rect) -> Rect | None:
    """``rect`` rounded to whole pixels and limited to the picture; None if nothing is left."""
    left = int(round(clamp(rect.x, 0, document.width)))
    top = int(round(clamp(rect.y, 0, document.height)))
    right = int(round(clamp(rect.right, 0, document.width)))
    bottom = int(round(clamp(rect.bottom, 0, document.height)))
    if right - left < 1 or bottom - top < 1:
        return None
    return Rect(left, top, right - left, bottom - top)


def crop_edit(document: Document, rect: Rect | None) -> Edit | None:
    """The edit that sets the crop to ``rect`` (None or the whole picture removes it)."""
    after = None if rect is None else clamp_crop(document, rect)
    if after is not None and after == document.image_rect:
        after = None
    if after == document.crop:
        return None
    return SetCrop(document.crop, after)


class CropTool(Tool):
    tool_id = "crop"
    styled = False
    hint = "Drag to choose the part to send; drag the handles to adjust. Enter the exact size in the crop bar."

    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self._start: Point | None = None
        self._mode: str | None = None  # "new", "move" or a handle name
        self._original: Rect | None = None
        self._current: Rect | None = None

    def shown_crop(self) -> Rect | None:
        """The crop to outline: the one being dragged, else the document's."""
        return self._current if self._current is not None else self.document.crop

    def press(self, event: PointerEvent) -> Edit | None:
        crop = self.document.crop
        self._start = event.point
        self._original = crop
        handle = None
        if crop is not None:
            handle = handle_at(box_handle_points(crop), event.point, event.pixels_per_screen_pixel)
        if handle is not None:
            self._mode = handle
        elif crop is not None and crop.contains(event.point):
            self._mode = "move"
        else:
            self._mode = "new"
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        if self._start is None:
            return None
        if self._mode == "new":
            proposed = Rect.from_points(self._start, event.point)
        elif self._mode == "move" and self._original is not None:
            dx = clamp(event.x - self._start[0], -self._original.x,
                       self.document.width - self._original.right)
            dy = clamp(event.y - self._start[1], -self._original.y,
                       self.document.height - self._original.bottom)
            proposed = self._original.translated(dx, dy)
        elif self._original is not None and self._mode is not None:
            proposed = resize_rect(self._original, self._mode, event.point)
        else:
            return None
        self._current = clamp_crop(self.document, proposed)
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        if self._start is None:
            return None
        self.move(event)
        current, mode = self._current, self._mode
        self.cancel()
        if current is None:
            return None
        if mode == "new" and (current.width < 4 or current.height < 4):
            return None  # a click, not a crop
        return crop_edit(self.document, current)

    def cancel(self) -> None:
        self._start = self._mode = self._original = self._current = None

    @property
    def busy(self) -> bool:
        return self._start is not None
