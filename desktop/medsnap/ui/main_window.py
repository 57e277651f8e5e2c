"""The editor window: binds the canvas, the tools, the undo stack and the loaders together.

It holds no business logic: tools make Edits, the undo stack applies them, the canvas
repaints from the document, and slow work goes through ``Jobs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QVBoxLayout, QWidget

from medsnap.errors import MedSnapError
from medsnap.ui.box_keys import BackToPicture
from medsnap.ui.canvas import Canvas
from medsnap.ui.crop_bar import CropBar
from medsnap.ui.editor_policy import EditorPolicy, user_settings
from medsnap.ui.file_dialogs import forget_dialog_folders
from medsnap.ui.file_folders import FolderMemory
from medsnap.ui.icons import icon
from medsnap.ui.image_sources import dropped_path, mime_image_png
from medsnap.ui.jobs import Jobs
from medsnap.ui.opening import PictureOpener
from medsnap.ui.qt_enums import Qt
from medsnap.ui.sent_preview import SentPreview
from medsnap.ui.status_bar import EditorStatusBar
from medsnap.ui.text_callouts import TextCallouts
from medsnap.ui.tool_bar import ToolStrip
from medsnap.ui.tool_binding import ToolBinding
from medsnap.ui.undo import push_edit
from medsnap.ui.unsaved_guard import UnsavedGuard
from medsnap.ui.window_actions import WindowActions
from medsnap.ui.window_memory import (
    fit_on_screen, last_tool, refresh_recent, remember_recent, remove_stored_recent, restore_layout,
    save_layout)

if TYPE_CHECKING:  # the document model and tools load with the first picture (after first paint)
    from medsnap.document.edits import Edit
    from medsnap.document.model import Document


class MainWindow(QMainWindow):
    picture_loaded = Signal()  # the full picture is in and editable
    picture_swapped = Signal()  # same size, new pixels (a DICOM window or frame)
    error_shown = Signal(str)
    closing_for_good = Signal()  # the close was accepted (nothing left to ask): tear down now

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or user_settings()
        self.setWindowTitle("MedSnap")
        self._title_private = False  # locked: no file name in the title (set_title_private)
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
        self.callouts = TextCallouts(self)  # its editor is built on the first text callout
        self.tool_strip = ToolStrip(self.settings, self)
        # the tool strip sits left of the canvas in the central widget, not in the window's
        # left toolbar area: placing it there takes a Qt.ToolBarArea, and that alone sets up
        # all of Qt's enums before the first paint (see qt_enums)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.tool_strip)
        # a picture's bars (cautions, radiograph window) go above the canvas only, not
        # across the window: the tool strip and the send panel keep their height
        self.above_canvas = QVBoxLayout()
        self.above_canvas.setContentsMargins(0, 0, 0, 0)
        self.above_canvas.setSpacing(0)
        self.above_canvas.addWidget(self.canvas, 1)
        row.addLayout(self.above_canvas, 1)
        self.setCentralWidget(central)
        self.status = EditorStatusBar(self)
        self.setStatusBar(self.status)
        self.crop_bar = CropBar(self)
        self.status.hold_crop_bar(self.crop_bar)  # shown with the crop tool
        self.policy = EditorPolicy(self)
        self.tool_binding = ToolBinding(self)
        self.actions = WindowActions(self)
        self.actions.build_menus()
        self.addToolBar(self.actions.build_main_toolbar())
        self.sent_preview = SentPreview(self)
        self.opener = PictureOpener(self)
        self.unsaved = UnsavedGuard(self)
        self._dicom = None  # DICOM controls and cautions: bound with the first picture

        self.canvas.edit_ready.connect(self.push)
        # the empty canvas has a scale too (of a 1-pixel nothing): not shown as a zoom
        self.canvas.zoom_changed.connect(lambda scale: self.status.show_zoom(scale)
                                         if self.canvas.pyramid is not None
                                         else self.status.forget_zoom())
        self.canvas.zoom_changed.connect(lambda _scale: self.commit_text())  # editor would drift
        self.canvas.pointer_moved.connect(self.status.show_position)
        self.canvas.pointer_off_picture.connect(lambda: self.status.show_position(None, None))
        self.canvas.text_requested.connect(self.callouts.begin)
        self.canvas.selection_changed.connect(self.tool_binding.selection_changed)
        self.canvas.placed_by_keys.connect(self.tool_binding.placed_by_keys)
        self.status.zoom_entered.connect(lambda scale: self.canvas.zoom_to(scale))
        self.tool_strip.tool_chosen.connect(self.tool_binding.tool_chosen)
        self.tool_strip.style_changed.connect(self.tool_binding.style_changed)
        self.tool_strip.next_number_chosen.connect(self.tool_binding.next_number_chosen)
        self.crop_bar.crop_entered.connect(self.tool_binding.crop_entered)
        BackToPicture([self.tool_strip.width_box, self.tool_strip.next_box,
                       *self.crop_bar.boxes.values()], self.canvas)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

        restore_layout(self)
        self.restored_size = self.size()
        self._fit_once_framed = False  # shown at the restored size: fit once framed
        self.recent_paths: list[str] = []  # File › Recent, in memory only (window_memory)
        self.folders = FolderMemory()  # where file dialogs start: memory only, too
        remove_stored_recent(self.settings)
        refresh_recent(self)
        self.tool_strip.choose(last_tool(self.settings))
        self._update_enabled()
        self.canvas.setFocus()
        # policy (what the menus offer) is read just after the first paint, not before it
        QTimer.singleShot(250, self, self.policy.apply_now)
        # and folders an older MedSnap's file dialogs left in Qt's settings are removed
        QTimer.singleShot(250, self, forget_dialog_folders)

    # -- getting a picture in -----------------------------------------------------------
    def choose_file(self) -> None:
        self.unsaved.then(self.opener.choose_file, "Opening another picture")

    def choose_page(self) -> None:
        self.unsaved.then(self.opener.choose_page, "Opening another page")

    def open_path(self, path: str) -> None:
        self.opener.open_path(path)

    def open_bytes(self, data: bytes, name: str) -> None:
        self.opener.open_bytes(data, name)

    def paste(self) -> None:
        self.unsaved.then(self.opener.paste, "Pasting another picture")

    def capture_region(self) -> None:
        from medsnap.ui.capture import RegionCapture

        self.unsaved.then(lambda: RegionCapture.start(self), "Capturing another picture")

    def install_picture(self, loaded, remember: str | None, keep_view: bool) -> None:
        """A picture finished loading: it becomes the document being edited."""
        self.canvas.busy_text = ""
        self.undo_stack.clear()
        self.sent_preview.switch_off()
        from medsnap.document.model import Document

        self.document = Document(loaded.picture)
        self.source_name = loaded.source_name
        self.unsaved.picture_changed()
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
        self.tool_binding.tool_chosen(self.tool_strip.tool_id)
        self.status.show_size(*self.document.size)
        self.dicom.picture_installed(loaded)
        if remember:
            remember_recent(self, remember)
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
        self.status.forget_picture()
        self.opener.paged = None
        if self._dicom is not None:  # the radiograph's samples and cautions go with it
            self._dicom.forget()
        self.tool_binding.show_next_number()
        self._update_title()
        self._update_enabled()

    @property
    def dicom(self):
        if self._dicom is None:
            from medsnap.ui.dicom_binding import DicomBinding

            self._dicom = DicomBinding(self)
        return self._dicom

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
        self.tool_binding.show_next_number()
        if self.document is not None:
            self.crop_bar.show_crop(self.document.crop, *self.document.size)
            left, top, right, bottom = self.document.output_box()
            note = f" (crop of {self.document.width} × {self.document.height})" \
                if self.document.crop else ""
            self.status.show_size(right - left, bottom - top, note)
        self._update_title()

    # -- tools and text callouts (bound in tool_binding and text_callouts) --------------
    def choose_tool(self, tool_id: str) -> None:
        self.tool_strip.choose(tool_id)

    def delete_selection(self) -> None:
        self.tool_binding.delete_selection()

    def commit_text(self) -> None:
        self.callouts.commit()

    @property
    def text_editor(self):
        return self.callouts.editor

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

    @property
    def content_private(self) -> bool:
        """Locked, or behind the welcome screen: nothing of the picture may be acted on."""
        return self._title_private

    def set_title_private(self, private: bool) -> None:
        """Locked: the title (the taskbar's too) names no file, since a file name can name a
        patient and a locked ward workstation is in view of anyone passing."""
        self._title_private = private
        self._update_title()

    def _update_title(self) -> None:
        if self._title_private:
            self.setWindowTitle("MedSnap")
            return
        name = self.source_name or ""
        modified = "" if self.undo_stack.isClean() else " •"
        self.setWindowTitle(f"{name}{modified} — MedSnap" if name else "MedSnap")

    def _update_enabled(self) -> None:
        has_document = self.document is not None
        for action in self.actions.document_actions:
            action.setEnabled(has_document)
        self.actions.delete.setEnabled(False)
        self.actions.choose_page.setEnabled(has_document and self.opener.paged is not None)
        self.policy.apply()

    def actions_follow_picture(self) -> None:
        """Actions given back after the lock screen say what is true now: Switch user there
        put the picture and its undo history away while they were switched off."""
        if self.document is None:
            self._update_enabled()
        self.actions.undo.setEnabled(self.undo_stack.canUndo())
        self.actions.redo.setEnabled(self.undo_stack.canRedo())

    def _owns(self, widget: QWidget) -> bool:
        while widget is not None and widget is not self:
            widget = widget.parentWidget()
        return widget is self

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        if self.content_private:  # locked: a drop would ask over the lock screen, naming the
            event.ignore()       # file, and Discard there threw the clinician's work away
            return
        if dropped_path(mime) or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.content_private:
            event.ignore()
            return
        mime = event.mimeData()
        path = dropped_path(mime)
        if path:
            event.acceptProposedAction()
            self.unsaved.then(lambda: self.open_path(path), "Opening the dropped file")
            return
        data = mime_image_png(mime)
        if data is not None:
            event.acceptProposedAction()
            self.unsaved.then(lambda: self.open_bytes(data, "Dropped image"),
                              "Opening the dropped picture")

    def addDockWidget(self, area, dock, *more) -> None:  # noqa: N802 - Qt override
        super().addDockWidget(area, dock, *more)
        panel = dock.findChild(QWidget, "sendPanel")  # built by messaging, bound here:
        if panel is not None:  # Ctrl+Enter and the Tab order through it
            self.actions.bind_send_panel(panel)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # the frame's size is known once shown: fit again the size chosen at start (not a
        # size the caller set since)
        if not event.spontaneous() and self.size() == self.restored_size:
            fit_on_screen(self)
            # a window manager adds its frame (title bar) just after: fitted again then
            self._fit_once_framed = True
        self.restored_size = None

    def moveEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().moveEvent(event)
        if self._fit_once_framed and self.frameGeometry().size() != self.size():
            self._fit_once_framed = False  # the frame is known: its title bar fits too
            fit_on_screen(self)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.commit_text()
        if self.unsaved.unsaved(leaving=True):  # asked first; Discard or a saved copy
            event.ignore()  # closes again
            self.unsaved.then(self.close, "Quitting MedSnap", leaving=True)
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        # this window's open message boxes, found among the top-level windows: asking the
        # window for all its children makes PySide6 type every one of them (~6 ms)
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and self._owns(box):
                box.close()
        self.closing_for_good.emit()
        self.closing = True
        save_layout(self)
        self.jobs.wait(10000)
        super().closeEvent(event)

