"""The chosen tool bound to the document: tool strip choices, colour and width, the selection
and the crop size box. Tools make Edits; this hands them to the window's undo stack."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from medsnap.ui.canvas import measure_in
from medsnap.ui.tool_catalogue import TOOLS_BY_ID

if TYPE_CHECKING:
    from medsnap.ui.main_window import MainWindow


KEYBOARD_PLACED_HINT = ("Drawn in the middle of the view and selected: arrow keys move it, "
                        "Ctrl+arrow keys resize it (Shift: faster), Tab picks the next one.")

REDACTION_SELECTED_HINT = ("A redaction stays put when dragged (a slip must not uncover a name): "
                           "arrow keys move it, its handles resize it, Delete removes it.")


def _tools():
    import medsnap.document.tools as tools  # loads with the first picture, not at start-up

    return tools


class ToolBinding:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        # the Next box's number, kept with its picture (weakly: a closed picture is freed): a
        # marker tool is made afresh each time it is chosen, and choosing another tool before
        # placing a marker must not forget it
        self._next_chosen: tuple[weakref.ref, int] | None = None

    def _is_select(self, tool) -> bool:
        return tool is not None and isinstance(tool, _tools().SelectTool)

    def tool_chosen(self, tool_id: str) -> None:
        window = self.window
        window.commit_text()
        info = TOOLS_BY_ID[tool_id]
        current = window.canvas.tool
        if current is not None and current.tool_id == tool_id \
                and current.document is window.document:
            current.style = self.style(tool_id)
            self.show_next_number()
            return  # chosen again: keep its state (the selection)
        window.status.show_crop_bar(tool_id == "crop")
        window.status.show_hint(info.hint)
        if window.document is None:
            window.canvas.set_tool(None)
            self.show_next_number()
            return
        tool = _tools().make_tool(tool_id, window.document, self.style(tool_id),
                                  measure_in(window.document))
        if tool_id == "marker" and self._next_chosen is not None \
                and self._next_chosen[0]() is window.document:
            tool.first_number = self._next_chosen[1]
        window.canvas.set_tool(tool)
        window.crop_bar.show_crop(window.document.crop, *window.document.size)
        self.selection_changed()
        self.show_next_number()

    def _marker_tool(self):
        tool = self.window.canvas.tool
        return tool if tool is not None and tool.tool_id == "marker" else None

    def show_next_number(self) -> None:
        """The "Next" box follows the picture: never below a number already placed. With no
        picture (none yet, or put away by Switch user) it is 1, for the next one, and off."""
        tool, document = self._marker_tool(), self.window.document
        strip = self.window.tool_strip
        strip.next_box.setEnabled(document is not None)
        if document is None:
            strip.show_next_number(1, 1, strip.next_box.maximum())
        elif tool is not None:
            from medsnap.document.annotations import MAX_MARKER_NUMBER  # (loaded with the tool)

            next_number = _tools().next_number
            self.window.tool_strip.show_next_number(
                next_number(document), next_number(document, tool.first_number),
                MAX_MARKER_NUMBER)

    def next_number_chosen(self, value: int) -> None:
        tool = self._marker_tool()
        if tool is not None:
            tool.first_number = value
            self._next_chosen = (weakref.ref(tool.document), value)

    def unit(self) -> float:
        document = self.window.document
        return _tools().size_unit(document) if document is not None else 1.0

    def style(self, tool_id: str):
        """The picked colour and width, scaled so sizes look alike on any picture size."""
        strip = self.window.tool_strip
        return _tools().style_for(tool_id, strip.colour, strip.width * self.unit())

    def style_changed(self, colour: str, width: float) -> None:
        tool = self.window.canvas.tool
        if tool is None:
            return
        if self._is_select(tool):
            edit = tool.restyle(colour=colour, width=width * self.unit())
            if edit is not None:
                self.window.push(edit)
        else:
            tool.style = self.style(self.window.tool_strip.tool_id)

    def selection_changed(self) -> None:
        tool = self.window.canvas.tool
        is_select = self._is_select(tool)
        selected = tool.selected() if is_select else None
        self.window.actions.delete.setEnabled(selected is not None)
        if is_select:
            self.window.tool_strip.show_selection(selected, self.unit())
            status = self.window.status
            if selected is not None and selected.redacts:
                status.show_hint(REDACTION_SELECTED_HINT)
            elif status.hint.text() == REDACTION_SELECTED_HINT:
                status.show_hint(TOOLS_BY_ID["select"].hint)

    def placed_by_keys(self, annotation_id: str) -> None:
        """An annotation drawn with Enter: select it, so the arrow keys move it and
        Ctrl+arrow keys resize it straight away."""
        window = self.window
        window.tool_strip.choose("select")
        tool = window.canvas.tool
        if self._is_select(tool):
            tool.selected_id = annotation_id
            self.selection_changed()
            window.canvas.viewport().update()
            window.status.show_hint(KEYBOARD_PLACED_HINT)

    def delete_selection(self) -> None:
        tool = self.window.canvas.tool
        if self._is_select(tool):
            edit = tool.delete_selected()
            if edit is not None:
                self.window.push(edit)

    def crop_entered(self, rect) -> None:
        document = self.window.document
        if document is not None:
            edit = _tools().crop_edit(document, rect)
            if edit is not None:
                self.window.push(edit)
