"""The editor's actions, menus and main toolbar, built in one place and bound to the window."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from medsnap.ui.tool_catalogue import TOOLS
from medsnap.ui.icons import icon

if TYPE_CHECKING:
    from medsnap.ui.main_window import MainWindow

Keys = QKeySequence.StandardKey


class WindowActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = w = window
        make = self._make
        self.open = make("&Open…", w.choose_file, Keys.Open, "open",
                         "Open a record image, letter or radiograph (PNG, JPEG, TIFF, "
                         "WebP, BMP, GIF, PDF, DICOM)")
        self.capture = make("&Capture screen region…", w.capture_region, "Ctrl+Shift+C",
                            "capture", "Hide MedSnap and drag a rectangle on the screen")
        self.paste = make("&Paste image", w.paste, Keys.Paste, None,
                          "Open the image on the clipboard")
        self.save_copy = make("&Save a copy…", w.save_copy, Keys.Save, "save",
                              "Save a clean copy (no metadata) for the record")
        self.copy_image = make("&Copy image", w.copy_image, Keys.Copy, None,
                               "Copy the clean picture (as it would be sent) to the clipboard")
        self.settings = make("Se&ttings…", w.show_settings, Keys.Preferences, None,
                             "Change MedSnap's settings")
        self.quit = make("&Quit", w.close, Keys.Quit, None, "Close MedSnap")
        self.undo = w.undo_stack.createUndoAction(w, "&Undo")
        self.undo.setShortcuts([QKeySequence(Keys.Undo)])
        self.undo.setIcon(icon("undo"))
        self.redo = w.undo_stack.createRedoAction(w, "&Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo.setIcon(icon("redo"))
        self.delete = make("&Delete", w.delete_selection, Keys.Delete, "delete",
                           "Delete the selected annotation")
        self.delete.setShortcuts([QKeySequence(Keys.Delete), QKeySequence("Backspace")])
        self.zoom_in = make("Zoom &in", lambda: w.canvas.zoom_step(+1), None, "zoom-in",
                            "Zoom in (+)")
        self.zoom_in.setShortcuts([QKeySequence("+"), QKeySequence("="),
                                   QKeySequence(Keys.ZoomIn)])
        self.zoom_out = make("Zoom &out", lambda: w.canvas.zoom_step(-1), None, "zoom-out",
                             "Zoom out (-)")
        self.zoom_out.setShortcuts([QKeySequence("-"), QKeySequence(Keys.ZoomOut)])
        self.zoom_fit = make("&Fit to window", w.canvas.zoom_fit, "Ctrl+0", "zoom-fit",
                             "Show the whole picture (Ctrl+0)")
        self.zoom_actual = make("&Actual size (100%)", lambda: w.canvas.zoom_to(1.0),
                                "Ctrl+1", "zoom-actual", "One screen pixel per image pixel (Ctrl+1)")
        self.preview = make("Preview as &sent", w.toggle_sent_preview, "Ctrl+Shift+P",
                            "preview", "Show exactly the clean pixels that would leave this computer")
        self.preview.setCheckable(True)
        self.choose_page = make("Choose pa&ge…", w.choose_page, None, None,
                                "Open another page of this PDF letter or multi-page TIFF")
        self.recent_menu = QMenu("Open &recent", w)
        self.recent_menu.setAccessibleName("Recent files")
        self.document_actions = [self.save_copy, self.preview, self.zoom_in, self.zoom_out,
                                 self.zoom_fit, self.zoom_actual]

    def _make(self, text: str, slot: Callable[[], object], shortcut, icon_name: str | None,
              tip: str) -> QAction:
        action = QAction(text, self.window)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcuts([QKeySequence(shortcut)])  # as a list: see ToolStrip
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.window.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def build_menus(self) -> None:
        bar = self.window.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.open, self.capture, self.paste):
            file_menu.addAction(action)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.choose_page)
        file_menu.addSeparator()
        file_menu.addAction(self.save_copy)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit_menu = bar.addMenu("&Edit")
        for action in (self.undo, self.redo, self.delete, self.copy_image):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings)
        for menu in (file_menu, edit_menu):  # policy decides what these menus offer
            menu.aboutToShow.connect(self.window.policy.apply_now)
        view_menu = bar.addMenu("&View")
        for action in (self.zoom_in, self.zoom_out, self.zoom_fit, self.zoom_actual):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.preview)
        tools_menu = bar.addMenu("&Tools")
        for info in TOOLS:
            tools_menu.addAction(self.window.tool_strip.actions_by_id[info.tool_id])

    def build_main_toolbar(self) -> QToolBar:
        bar = QToolBar("Main", self.window)
        bar.setObjectName("main")
        bar.setAccessibleName("Main actions")
        bar.setIconSize(QSize(22, 22))
        bar.setMovable(False)
        for action in (self.open, self.capture, self.save_copy, None, self.undo, self.redo,
                       None, "style", None, self.zoom_out, self.zoom_in, self.zoom_fit,
                       self.zoom_actual, None, self.preview):
            if action is None:
                bar.addSeparator()
            elif action == "style":
                strip = self.window.tool_strip
                for widget in strip.style_widgets():
                    bar.addWidget(widget)
                strip.next_actions = [bar.addWidget(widget) for widget in strip.next_widgets()]
                for placed in strip.next_actions:
                    placed.setVisible(strip.tool_id == "marker")
            else:
                bar.addAction(action)
                bar.widgetForAction(action).setAccessibleName(action.text().replace("&", "")
                                                              .rstrip("…"))
        return bar

    def bind_send_panel(self, panel) -> None:
        """Ctrl+Enter sends, through the Send button itself (the same checks and questions
        as a click), and Tab goes picture → To → Note → Patient → … → Send rather than to
        the zoom box in the status bar."""
        window = self.window
        self.send = self._make("Send", lambda: self._send_from_keyboard(panel), None, None,
                               "Send the picture to the chosen colleague")
        self.send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        keys = QKeySequence("Ctrl+Return").toString(QKeySequence.SequenceFormat.NativeText)
        panel.send.setToolTip(f"Send the picture to the chosen colleague ({keys})")
        chain = [window.canvas, panel.picker.search, panel.picker.list, panel.picker.safety,
                 panel.picker.change, panel.note, panel.declaration, panel.priority,
                 panel.expires, panel.preview, panel.send]
        for before, after in zip(chain, chain[1:]):
            window.setTabOrder(before, after)
        # the next field after choosing a colleague gets focus from code, not from Tab, and
        # Qt's styles then draw no focus ring: marked as a keyboard move, it shows
        panel.picker.chosen.connect(lambda _entry: self._show_focus())

    def _send_from_keyboard(self, panel) -> None:
        if not panel.isVisible():
            return
        if panel.send.isEnabled():
            panel.send.click()
            return
        self.window.status.showMessage(panel.missing() or "Sending…", 5000)
        if not panel.busy and panel.focus_missing() is not None:  # there, to answer it
            self._show_focus()

    def _show_focus(self) -> None:
        from medsnap.ui.qt_enums import Qt

        self.window.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
        focused = self.window.focusWidget()
        if focused is not None:
            focused.update()
