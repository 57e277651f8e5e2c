"""The editor's DICOM hook: window/level and frame controls, and a picture's cautions.

When the loaded picture is a DICOM frame, the controls appear in a toolbar and a kept
``DicomImage`` re-windows the already decoded samples off the UI thread (``Jobs``). The new
pixels replace the picture in place: same size, so every annotation stays where it was.

The swap is deliberately NOT an undoable edit: window and frame are how the source is
displayed, like a PDF page's resolution, not something drawn on it. The controls always
show the current state and "File's own window" goes back; keeping it off the undo stack
means Ctrl+Z only ever takes back the clinician's drawing, which is what they expect.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QToolBar

if TYPE_CHECKING:
    from medsnap.imaging.dicom import DicomImage
    from medsnap.ui.dicom_controls import DicomControls
    from medsnap.ui.info_bar import InfoBar
    from medsnap.ui.main_window import MainWindow


class DicomSource:
    """A DICOM source and its decoded frames, read once (lazily) and windowed many times."""

    def __init__(self, source: str | bytes, max_pixels: int | None = None) -> None:
        self.source = source
        self.max_pixels = max_pixels
        self._image: DicomImage | None = None
        self._lock = threading.Lock()  # jobs may overlap; pydicom's decode is not re-entrant

    def render(self, frame: int, window: tuple[float, float] | None, overlays: bool = True):
        """(Picture, Pyramid) for ``frame`` through ``window``, overlay planes drawn or not;
        runs in a worker thread."""
        from medsnap.imaging.dicom import DicomImage
        from medsnap.imaging.picture import DEFAULT_MAX_PIXELS
        from medsnap.imaging.record_sniff import looks_like_dicom
        from medsnap.ui.pyramid import Pyramid

        with self._lock:
            if self._image is None:
                self._image = DicomImage(self.source, bare=not looks_like_dicom(self._head()),
                                         max_pixels=self.max_pixels or DEFAULT_MAX_PIXELS)
            picture = self._image.picture(frame, window, overlays=overlays)
        return picture, Pyramid.build(picture.image)

    def _head(self) -> bytes:
        if isinstance(self.source, (bytes, bytearray)):
            return bytes(self.source[:132])
        with open(self.source, "rb") as handle:
            return handle.read(132)


class DicomBinding:
    """Binds a DICOM picture to the controls and the picture's cautions to the info bar.
    The widgets are built the first time they are needed (not at start-up)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.source: DicomSource | None = None
        self.frame = 0
        self._generation = 0
        self.controls: DicomControls | None = None
        self.toolbar: QToolBar | None = None
        self.info_bar: InfoBar | None = None
        self.notes_toolbar: QToolBar | None = None

    # -- a new picture --------------------------------------------------------------------
    def picture_installed(self, loaded) -> None:
        """Called by the window for every picture it installs (DICOM or not)."""
        self._generation += 1  # a re-window of the previous picture must not land here
        picture = loaded.picture
        self.show_notes(picture.warnings)
        if picture.dicom is None or getattr(loaded, "source", None) is None:
            self.source = None
            if self.toolbar is not None:
                self.toolbar.hide()
            return
        self.source = DicomSource(loaded.source, getattr(loaded, "max_pixels", None))
        self.frame = picture.page
        controls = self._ensure_controls()
        controls.reset_overlays()  # the picture was loaded with them
        controls.show_info(picture.dicom, picture.page)
        controls.warning.hide()  # the info bar above the picture says it, once
        self.toolbar.show()

    def forget(self) -> None:
        """The picture was put away (Switch user): drop the decoded source, hide its widgets,
        and let a re-window still running land nowhere."""
        self._generation += 1
        self.source = None
        for bar in (self.toolbar, self.notes_toolbar):
            if bar is not None:
                bar.hide()

    def show_notes(self, notes: tuple[str, ...]) -> None:
        if not notes and self.info_bar is None:
            return
        self._ensure_info_bar().show_notes(notes)
        self.notes_toolbar.setVisible(bool(notes))

    # -- widgets -> work ------------------------------------------------------------------
    def _window_changed(self, window) -> None:
        self._render(self.frame, window)

    def _frame_changed(self, frame: int) -> None:
        self._render(frame, self.controls.current_window() if self.controls else None)

    def _overlays_changed(self, _shown: bool) -> None:
        self._render(self.frame, self.controls.current_window() if self.controls else None)

    def _render(self, frame: int, window) -> None:
        main = self.window
        if self.source is None or main.document is None:
            return
        self._generation += 1
        generation, source = self._generation, self.source
        overlays = self.controls.overlays_shown() if self.controls else True
        main.commit_text()
        main.jobs.run(lambda: source.render(frame, window, overlays),
                      lambda result: self._rendered(generation, frame, result),
                      lambda message: self._failed(generation, message),
                      what="showing the radiograph")

    def _rendered(self, generation: int, frame: int, result) -> None:
        main = self.window
        if generation != self._generation or main.closing or main.document is None:
            return
        picture, pyramid = result
        if (picture.width, picture.height) != main.document.size:
            main.report_error("This frame has a different size from the one being annotated, "
                              "so it cannot replace it. Nothing was changed.")
            return
        self.frame = frame
        main.sent_preview.switch_off()
        main.document.picture = picture
        main.canvas.set_picture(pyramid, refit=False)
        if self.controls is not None:
            self.controls.show_info(picture.dicom, frame)
            self.controls.warning.hide()
        self.show_notes(picture.warnings)
        main.picture_swapped.emit()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.window.report_error(message, "The radiograph could not be shown")

    def _redact(self) -> None:
        self.window.choose_tool("redaction")
        self.window.canvas.setFocus()

    # -- lazily built widgets -------------------------------------------------------------
    def _ensure_controls(self) -> DicomControls:
        if self.controls is None:
            from medsnap.ui.dicom_controls import DicomControls

            main = self.window
            self.controls = DicomControls(main)
            self.controls.window_changed.connect(self._window_changed)
            self.controls.frame_changed.connect(self._frame_changed)
            self.controls.overlays_changed.connect(self._overlays_changed)
            self.controls.redaction_requested.connect(self._redact)
            self.toolbar = self._toolbar("dicom", "Radiograph display", self.controls)
        return self.controls

    def _ensure_info_bar(self) -> InfoBar:
        if self.info_bar is None:
            from medsnap.ui.info_bar import InfoBar

            self.info_bar = InfoBar("Redact…", self.window)
            self.info_bar.action.setAccessibleName("Use the redaction tool")
            self.info_bar.action_requested.connect(self._redact)
            self.notes_toolbar = self._toolbar("cautions", "Cautions", self.info_bar)
            self.info_bar.dismissed.connect(self.notes_toolbar.hide)
        return self.info_bar

    def _toolbar(self, name: str, title: str, widget) -> QToolBar:
        """A bar above the picture (not across the window: see MainWindow.above_canvas);
        cautions first, then the radiograph's window."""
        main = self.window
        bar = QToolBar(title, main)
        bar.setObjectName(name)
        bar.setAccessibleName(title)
        bar.setMovable(False)
        bar.addWidget(widget)
        layout = main.above_canvas
        layout.insertWidget(0 if name == "cautions" else layout.count() - 1, bar)
        return bar
