"""The editor window: binds the canvas, the tools, the undo stack and the loaders together.

It holds no business logic: tools make Edits, the undo stack applies them, the canvas
repaints from the document, and slow work goes through ``Jobs``.
"""

from __future__ import annotations


from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QToolBar, QWidget

from medsnap.errors import MedSnapError
from medsnap.ui import settings as prefs
from medsnap.ui.canvas import Canvas, measure
from medsnap.ui.crop_bar import CropBar
from medsnap.ui.editor_policy import EditorPolicy
from medsnap.ui.icons import icon
from medsnap.ui.image_sources import display_name, dropped_path, mime_image_png
from medsnap.ui.jobs import Jobs
from medsnap.ui.opening import PictureOpener
from medsnap.ui.qt_enums import Qt
from medsnap.ui.sent_preview import SentPreview
from medsnap.ui.status_bar import EditorStatusBar
from medsnap.ui.tool_bar import ToolStrip
from medsnap.ui.tool_catalogue import TOOLS_BY_ID
from medsnap.ui.undo import push_edit
from medsnap.ui.window_actions import WindowActions

if TYPE_CHECKING:  # the document model and tools load with the first picture (after first paint)
    from medsnap.document.edits import Edit
    from medsnap.document.model import Document
    from medsnap.document.tools import TextRequest


def _tools():
    import medsnap.document.tools as tools

    return tools


class MainWindow(QMainWindow):
    picture_loaded = Signal()  # the full picture is in and editable
    picture_swapped = Signal()  # same size, new pixels (a DICOM window or frame)
    error_shown = Signal(str)

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or QSettings("MedSnap", "MedSnap")
        self.setWindowTitle("MedSnap")
        self.setWindowIcon(icon("medsnap"))
        self.setAccessibleName("MedSnap editor")
        self.setAcceptDrops(True)
        self.resize(1100, 750)
        self.jobs = Jobs(self)
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self.source_name = ""
        self.last_error = ""
        self.closing = False

        self.canvas = Canvas(self)
        self._text_editor = None  # built on the first text callout, not at start-up
        self.tool_strip = ToolStrip(self.settings, self)
        # the tool strip sits left of the canvas in the central widget, not in the window's
        # left toolbar area: placing it there takes a Qt.ToolBarArea, and that alone sets up
        # all of Qt's enums before the first paint (see qt_enums)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.tool_strip)
        row.addWidget(self.canvas, 1)
        self.setCentralWidget(central)
        self.status = EditorStatusBar(self)
        self.setStatusBar(self.status)
        self.crop_bar = CropBar(self)
        self.crop_toolbar = QToolBar("Crop", self)
        self.crop_toolbar.setObjectName("crop")
        self.crop_toolbar.setAccessibleName("Crop size")
        self.crop_toolbar.addWidget(self.crop_bar)
        self.policy = EditorPolicy(self)
        self.actions = WindowActions(self)
        self.actions.build_menus()
        self.addToolBar(self.actions.build_main_toolbar())
        self.addToolBarBreak()
        self.addToolBar(self.crop_toolbar)  # below the main toolbar, shown with the crop tool
        self.sent_preview = SentPreview(self)
        self.opener = PictureOpener(self)
        self._dicom = None  # DICOM controls and cautions: bound with the first picture

        self.canvas.edit_ready.connect(self.push)
        self.canvas.zoom_changed.connect(self.status.show_zoom)
        self.canvas.zoom_changed.connect(lambda _scale: self.commit_text())  # editor would drift
        self.canvas.pointer_moved.connect(self.status.show_position)
        self.canvas.text_requested.connect(self._edit_text)
        self.canvas.selection_changed.connect(self._selection_changed)
        self.status.zoom_entered.connect(lambda scale: self.canvas.zoom_to(scale))
        self.tool_strip.tool_chosen.connect(self._tool_chosen)
        self.tool_strip.style_changed.connect(self._style_changed)
        self.crop_bar.crop_entered.connect(self._crop_entered)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

        self._restore_geometry()
        self._refresh_recent()
        self.tool_strip.choose(prefs.LAST_TOOL.read(self.settings)
                               if prefs.LAST_TOOL.read(self.settings) in TOOLS_BY_ID else "select")
        self._update_enabled()
        self.canvas.setFocus()
        # policy (what the menus offer) is read just after the first paint, not before it
        QTimer.singleShot(250, self, self.policy.apply_now)

    # -- getting a picture in -----------------------------------------------------------
    def choose_file(self) -> None:
        self.opener.choose_file()

    def open_path(self, path: str) -> None:
        self.opener.open_path(path)

    def open_bytes(self, data: bytes, name: str) -> None:
        self.opener.open_bytes(data, name)

    def paste(self) -> None:
        self.opener.paste()

    def capture_region(self) -> None:
        from medsnap.ui.capture import RegionCapture

        RegionCapture.start(self)

    def install_picture(self, loaded, remember: str | None, keep_view: bool) -> None:
        """A picture finished loading: it becomes the document being edited."""
        self.canvas.busy_text = ""
        self.undo_stack.clear()
        self.sent_preview.switch_off()
        from medsnap.document.model import Document

        self.document = Document(loaded.picture)
        self.source_name = loaded.source_name
        self.canvas.set_picture(loaded.pyramid, refit=False)
        if keep_view:  # the draft was on screen: do not move what the clinician looks at
            scale, origin = self.canvas.view.scale, (self.canvas.view.origin_x,
                                                     self.canvas.view.origin_y)
            self.canvas.set_document(self.document)
            self.canvas.view.scale = scale
            self.canvas.view.origin_x, self.canvas.view.origin_y = origin
            self.canvas.refresh()
        else:
            self.canvas.set_document(self.document)
        self._tool_chosen(self.tool_strip.tool_id)
        self.status.show_size(*self.document.size)
        self.dicom.picture_installed(loaded)
        if remember:
            prefs.remember_recent(self.settings, remember)
            self._refresh_recent()
        self._update_title()
        self._update_enabled()
        self.picture_loaded.emit()

    def close_document(self) -> None:
        """Empty the editor: no picture, no edits, no tool (Switch user puts a picture away)."""
        self.commit_text()
        self.sent_preview.switch_off()
        self.undo_stack.clear()
        self.canvas.set_tool(None)
        self.document = None
        self.source_name = ""
        self.canvas.set_document(None)
        self.canvas.set_picture(None)
        if self._dicom is not None:  # the radiograph's samples and cautions go with it
            self._dicom.forget()
        self._update_title()
        self._update_enabled()

    @property
    def dicom(self):
        if self._dicom is None:
            from medsnap.ui.dicom_binding import DicomBinding

            self._dicom = DicomBinding(self)
        return self._dicom

    def _refresh_recent(self) -> None:
        menu = self.actions.recent_menu
        menu.clear()
        paths = prefs.RECENT_FILES.read(self.settings)
        for path in paths:
            action = menu.addAction(display_name(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.setEnabled(bool(paths))

    # -- edits --------------------------------------------------------------------------
    def push(self, edit: Edit) -> None:
        if self.document is None:
            return
        self.sent_preview.switch_off()
        try:
            push_edit(self.undo_stack, edit, self.document, self._document_changed)
        except MedSnapError as error:
            self.report_error(error.message)

    def _document_changed(self) -> None:
        self.sent_preview.switch_off()
        self.canvas.document_changed()
        if self.document is not None:
            self.crop_bar.show_crop(self.document.crop, *self.document.size)
            left, top, right, bottom = self.document.output_box()
            note = f" (crop of {self.document.width} × {self.document.height})" \
                if self.document.crop else ""
            self.status.show_size(right - left, bottom - top, note)
        self._update_title()

    def delete_selection(self) -> None:
        tool = self.canvas.tool
        if tool is not None and isinstance(tool, _tools().SelectTool):
            edit = tool.delete_selected()
            if edit is not None:
                self.push(edit)

    def _crop_entered(self, rect) -> None:
        if self.document is not None:
            edit = _tools().crop_edit(self.document, rect)
            if edit is not None:
                self.push(edit)

    # -- tools --------------------------------------------------------------------------
    def choose_tool(self, tool_id: str) -> None:
        self.tool_strip.choose(tool_id)

    def _tool_chosen(self, tool_id: str) -> None:
        self.commit_text()
        info = TOOLS_BY_ID[tool_id]
        current = self.canvas.tool
        if current is not None and current.tool_id == tool_id and current.document is self.document:
            current.style = self._style(tool_id)
            return  # chosen again: keep its state (the selection)
        self.crop_toolbar.setVisible(tool_id == "crop")
        self.status.show_hint(info.hint)
        if self.document is None:
            self.canvas.set_tool(None)
            return
        self.canvas.set_tool(_tools().make_tool(tool_id, self.document, self._style(tool_id),
                                                measure))
        self.crop_bar.show_crop(self.document.crop, *self.document.size)
        self._selection_changed()

    def _unit(self) -> float:
        return _tools().size_unit(self.document) if self.document is not None else 1.0

    def _style(self, tool_id: str):
        """The picked colour and width, scaled so sizes look alike on any picture size."""
        return _tools().style_for(tool_id, self.tool_strip.colour,
                                  self.tool_strip.width * self._unit())

    def _style_changed(self, colour: str, width: float) -> None:
        tool = self.canvas.tool
        if tool is None:
            return
        if isinstance(tool, _tools().SelectTool):
            edit = tool.restyle(colour=colour, width=width * self._unit())
            if edit is not None:
                self.push(edit)
        else:
            tool.style = self._style(self.tool_strip.tool_id)

    def _selection_changed(self) -> None:
        tool = self.canvas.tool
        is_select = tool is not None and isinstance(tool, _tools().SelectTool)
        selected = tool.selected() if is_select else None
        self.actions.delete.setEnabled(selected is not None)
        if is_select:
            self.tool_strip.show_selection(selected, self._unit())

    # -- text callouts ------------------------------------------------------------------
    def _edit_text(self, request: TextRequest) -> None:
        tool = self.canvas.tool
        assert isinstance(tool, _tools().TextTool)
        style = request.existing.style if request.existing is not None else tool.style
        point = self.canvas.to_view(*request.position)
        scale = self.canvas.scale
        width = (request.existing.box_width or 0) * scale if request.existing else 0
        self.text_editor.begin(request.initial_text, point.x(), point.y(),
                               style.font_size * scale, style.colour, width)

    def _text_committed(self, text: str) -> None:
        tool = self.canvas.tool
        if tool is not None and isinstance(tool, _tools().TextTool) and tool.editing is not None:
            edit = tool.commit(text)
            if edit is not None:
                self.push(edit)
        self.canvas.setFocus()
        self.canvas.viewport().update()

    def _text_cancelled(self) -> None:
        if self.canvas.tool is not None:
            self.canvas.tool.cancel()
        self.canvas.setFocus()

    def commit_text(self) -> None:
        if self._text_editor is not None and self._text_editor.is_open:
            self._text_editor.finish()

    @property
    def text_editor(self):
        if self._text_editor is None:
            from medsnap.ui.text_editor import TextEditorOverlay

            self._text_editor = TextEditorOverlay(self.canvas.viewport())
            self._text_editor.committed.connect(self._text_committed)
            self._text_editor.cancelled.connect(self._text_cancelled)
        return self._text_editor

    # -- output -------------------------------------------------------------------------
    def toggle_sent_preview(self) -> None:
        self.commit_text()
        self.sent_preview.toggle()

    def copy_image(self) -> None:
        self.commit_text()
        self.sent_preview.copy_to_clipboard()

    def show_settings(self) -> None:
        from medsnap.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.policy.config, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.policy.reload)
        dialog.open()

    def save_copy(self) -> None:
        self.commit_text()
        self.sent_preview.save_copy()

    # -- window chrome ------------------------------------------------------------------
    def report_error(self, message: str, title: str = "MedSnap") -> None:
        """Plain words in a dialog that does not block the event loop; never a traceback."""
        self.last_error = message
        from PySide6.QtWidgets import QMessageBox  # only when there is something to say

        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          self)
        box.setAccessibleName(title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.error_shown.emit(message)

    def _clean_changed(self, _clean: bool) -> None:
        if shiboken6.isValid(self.undo_stack):  # not while the window is being torn down
            self._update_title()

    def _update_title(self) -> None:
        name = self.source_name or ""
        modified = "" if self.undo_stack.isClean() else " •"
        self.setWindowTitle(f"{name}{modified} — MedSnap" if name else "MedSnap")

    def _update_enabled(self) -> None:
        has_document = self.document is not None
        for action in self.actions.document_actions:
            action.setEnabled(has_document)
        self.actions.delete.setEnabled(False)
        self.policy.apply()

    def _restore_geometry(self) -> None:
        geometry = prefs.WINDOW_GEOMETRY.read(self.settings)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        elif self.screen() is not None:  # first start: most of the screen, centred
            area = self.screen().availableGeometry()
            self.resize(max(760, int(area.width() * 0.85)), max(560, int(area.height() * 0.85)))
            self.move(area.center() - self.rect().center())
        state = prefs.WINDOW_STATE.read(self.settings)
        if not state.isEmpty():
            self.restoreState(state)

    def _owns(self, widget: QWidget) -> bool:
        while widget is not None and widget is not self:
            widget = widget.parentWidget()
        return widget is self

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        if dropped_path(mime) or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        path = dropped_path(mime)
        if path:
            event.acceptProposedAction()
            self.open_path(path)
            return
        data = mime_image_png(mime)
        if data is not None:
            event.acceptProposedAction()
            self.open_bytes(data, "Dropped image")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.commit_text()
        from PySide6.QtWidgets import QApplication, QMessageBox

        # this window's open message boxes, found among the top-level windows: asking the
        # window for all its children makes PySide6 type every one of them (~6 ms)
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and self._owns(box):
                box.close()
        self.closing = True
        prefs.WINDOW_GEOMETRY.write(self.settings, self.saveGeometry())
        prefs.WINDOW_STATE.write(self.settings, self.saveState())
        self.settings.sync()
        self.jobs.wait(10000)
        super().closeEvent(event)

