"""The text tool: click to start a callout (or click one to change it), type, commit.

The tool only decides *what* is being edited; the window shows an in-place editor for
``editing`` and hands the typed text back to ``commit``, which returns the Edit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from medsnap.document.annotations import Text
from medsnap.document.edits import AddAnnotation, Edit, RemoveAnnotation, ReplaceAnnotation
from medsnap.document.geometry import Point
from medsnap.document.tools.base import PointerEvent, Tool, estimated_bounds
from medsnap.document.tools.hit import annotation_at


@dataclass(frozen=True)
class TextRequest:
    """Where the in-place editor goes, and the callout it changes (None: a new one)."""

    position: Point
    existing: Text | None = None

    @property
    def initial_text(self) -> str:
        return self.existing.text if self.existing is not None else ""


class TextTool(Tool):
    tool_id = "text"
    hint = "Click where the callout goes and type; Enter adds a line, Ctrl+Enter or a click outside finishes."

    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self.editing: TextRequest | None = None

    def press(self, event: PointerEvent) -> Edit | None:
        if self.editing is not None:
            return None  # the window commits the open editor before a new press reaches us
        hit = annotation_at(self.document, event.point, event.pixels_per_screen_pixel,
                            self.measure)
        if isinstance(hit, Text):
            self.editing = TextRequest(hit.position, hit)
        else:
            self.editing = TextRequest(event.point)
        return None

    def commit(self, text: str) -> Edit | None:
        """Finish the open editor with ``text``; an emptied callout is deleted."""
        edit = self.pending_edit(text)
        self.editing = None
        return edit

    def pending_edit(self, text: str) -> Edit | None:
        """What finishing the open editor with ``text`` would do, the editor left open (a
        draft saved mid-typing keeps the words typed so far)."""
        request = self.editing
        if request is None:
            return None
        text = text.rstrip()
        if request.existing is None:
            if not text.strip():
                return None
            return AddAnnotation(Text(text=text, position=request.position, style=self.style))
        if not text.strip():
            return RemoveAnnotation(request.existing)
        if text == request.existing.text:
            return None
        return ReplaceAnnotation(request.existing, replace(request.existing, text=text),
                                 label="Edit text")

    def cancel(self) -> None:
        self.editing = None

    @property
    def busy(self) -> bool:
        return self.editing is not None
