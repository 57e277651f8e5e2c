"""Text callouts: the in-place editor over the canvas, bound to the text tool.

The editor overlay is built on the first callout, not at start-up; typing is committed as an
Edit through the window (Escape too: typed words are kept, Undo removes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tools load with the first picture (after first paint)
    from medsnap.document.tools import TextRequest
    from medsnap.ui.main_window import MainWindow
    from medsnap.ui.text_editor import TextEditorOverlay


def _is_text_tool(tool) -> bool:
    from medsnap.document.tools import TextTool

    return tool is not None and isinstance(tool, TextTool)


class TextCallouts:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._editor: TextEditorOverlay | None = None

    @property
    def editor(self) -> TextEditorOverlay:
        if self._editor is None:
            from medsnap.ui.text_editor import TextEditorOverlay

            self._editor = TextEditorOverlay(self.window.canvas.viewport())
            self._editor.committed.connect(self._committed)
        return self._editor

    def begin(self, request: TextRequest) -> None:
        canvas = self.window.canvas
        tool = canvas.tool
        assert _is_text_tool(tool)
        style = request.existing.style if request.existing is not None else tool.style
        x, y, width = self._editor_place(request, style)
        self.editor.begin(request.initial_text, x, y, style.font_size * canvas.scale,
                          style.colour, width)

    def _editor_place(self, request: TextRequest, style) -> tuple[float, float, float]:
        """The editor over the column the callout will wrap in (view pixels): the words wrap
        while typing as they will be painted, and the box stays on the picture."""
        from medsnap.render import typing_column
        from medsnap.ui.text_editor import MIN_WIDTH

        canvas = self.window.canvas
        area = canvas.document.output_box()
        box_width = request.existing.box_width if request.existing is not None else None
        left, width = typing_column(request.position, style.font_size, style.width, box_width,
                                    area)
        scale, point = canvas.scale, canvas.to_view(left, request.position[1])
        visible = canvas.viewport().width()
        width = min(width * scale, visible - max(point.x(), 0.0))
        right = min(canvas.to_view(area[2], 0).x(), visible)  # the picture's edge in view
        x = max(min(point.x(), right - max(width, MIN_WIDTH)), 0.0)
        return x, point.y(), width

    def commit(self) -> None:
        """Finish the text being typed, if any (before the view or the document changes)."""
        if self._editor is not None and self._editor.is_open:
            self._editor.finish()

    def typed_text(self) -> str | None:
        """The words in the open callout editor (None: no callout is being typed)."""
        if self._editor is None or not self._editor.is_open:
            return None
        return self._editor.toPlainText()

    def typed_edit(self):
        """The edit the callout being typed would make if finished now (None: none)."""
        text, tool = self.typed_text(), self.window.canvas.tool
        if text is None or not _is_text_tool(tool):
            return None
        return tool.pending_edit(text)

    def _committed(self, text: str) -> None:
        canvas = self.window.canvas
        tool = canvas.tool
        if _is_text_tool(tool) and tool.editing is not None:
            edit = tool.commit(text)
            if edit is not None:
                self.window.push(edit)
        canvas.setFocus()
        canvas.viewport().update()
