"""Opening a picture: File › Open, PDF page choice, paste, and the load pipeline.

A reduced draft decode (big JPEGs) is shown first, then the full picture loads, both off the
UI thread through ``Jobs``; each load has a generation number so a slow, superseded load never
replaces a newer one. A failed load leaves the previous picture on screen and says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from medsnap.ui.image_sources import (
    OPEN_FILTERS, display_name, dropped_path, is_pdf, mime_image_png)
from medsnap.ui.qt_enums import Qt

if TYPE_CHECKING:
    from medsnap.ui.main_window import MainWindow


class PictureOpener:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._generation = 0  # the newest load
        self._draft_generation = 0  # the load whose draft is on screen
        self._full_generation = 0  # the load whose full picture is on screen
        self._previous_pyramid = None
        # the page last opened of each PDF, chosen again next time: in memory only, as the
        # recent files are (a letter's path may name the patient)
        self.last_pdf_page: dict[str, int] = {}
        self._page_notes: dict[int, str] = {}  # load generation -> "Page 3 of 5 · "
        self._starts: dict[int, tuple] = {}  # load generation -> (source, name, remember)
        #: the picture on screen comes from a file of several pages: File › Choose page…
        #: reopens it ("pdf", path) or ("pages", source, name, remember, count, page)
        self.paged: tuple | None = None

    def choose_file(self) -> None:
        from medsnap.ui import file_dialogs  # not needed to start

        window = self.window
        path = file_dialogs.ask_open_file(window, "Open a record image", window.folders.start(),
                                          OPEN_FILTERS)
        if path and not window.content_private:  # not if it locked while the dialog was open
            self.open_path(path)

    def open_path(self, path: str) -> None:
        self.window.folders.remember(path)
        if is_pdf(path):
            self._choose_pdf_page(path)
            return
        self.start(path, display_name(path), remember=path)

    def _choose_pdf_page(self, path: str) -> None:
        """A PDF letter: the clinician picks the page (and resolution, password) first."""
        from medsnap.ui.pdf_pages import PdfPageDialog

        dialog = PdfPageDialog(path, self.window, page=self.last_pdf_page.get(path, 0))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        count = [0]
        dialog.pages_listed.connect(lambda pages: count.__setitem__(0, pages))

        def chosen(page: int, dpi: float, password: str) -> None:
            self.last_pdf_page[path] = page
            options = {"page": page, "dpi": dpi, "password": password or None}
            self.start(path, f"{display_name(path)} (page {page + 1})", remember=path,
                       options=options)
            self._page_notes[self._generation] = f"Page {page + 1} of {count[0]} · "

        dialog.page_chosen.connect(chosen)
        dialog.open()

    def choose_page(self) -> None:
        """Another page of the file on screen: the PDF dialog for a letter, a page number
        for a multi-page TIFF (it opened at page 1)."""
        if self.paged is None:
            return
        if self.paged[0] == "pdf":
            self._choose_pdf_page(self.paged[1])
            return
        from PySide6.QtWidgets import QInputDialog

        _kind, source, name, remember, count, page = self.paged
        dialog = QInputDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle("Choose a page")
        dialog.setAccessibleName("Choose a page")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setLabelText(f"{name} has {count} pages. Page to open (1 to {count}):")
        dialog.setIntRange(1, count)
        dialog.setIntValue(page + 1)

        def chosen(number: int) -> None:
            self.start(source, f"{name} (page {number})", remember=remember,
                       options={"page": number - 1})

        dialog.intValueSelected.connect(chosen)
        dialog.open()

    def open_bytes(self, data: bytes, name: str) -> None:
        self.start(data, name)

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        data = mime_image_png(mime)
        if data is not None:
            self.open_bytes(data, "Pasted image")
            return
        path = dropped_path(mime)  # a file copied in the file manager
        if path:
            self.open_path(path)
            return
        self.window.report_error("There is no image on the clipboard. Copy an image (or take "
                                 "a screenshot) first, then paste again.")

    def start(self, source: str | bytes, name: str, remember: str | None = None,
              options: dict | None = None) -> None:
        from medsnap.ui.loader import decode_draft, load_full  # Pillow loads with a picture

        window = self.window
        window.commit_text()
        window.status.clearMessage()  # "Saved a copy … to /path/of/the/last/patient.jpg"
        self._generation += 1
        generation = self._generation
        self._starts[generation] = (source, name, remember)
        window.canvas.busy_text = f"Opening {name}…"
        self._previous_pyramid = window.canvas.pyramid if window.document is not None else None
        window.canvas.refresh()

        def load_full_picture(_draft_or_message=None) -> None:
            # after the draft, so the two do not compete for the processor
            limit = window.policy.max_pixels  # policy: the largest picture this ward opens
            window.jobs.run(lambda: load_full(source, name, max_pixels=limit, **(options or {})),
                            lambda loaded: self._loaded(generation, loaded, remember),
                            lambda message: self._failed(generation, message),
                            what=f"opening {name}")

        def draft_done(draft) -> None:
            self._draft_ready(generation, draft)
            if draft is not None and not window.closing:
                window.canvas.viewport().repaint()  # show it now, before the full decode
            load_full_picture()

        if options:  # a chosen page of a PDF or TIFF: no JPEG draft to show
            load_full_picture()
            return
        window.jobs.run(lambda: decode_draft(source, name), draft_done, load_full_picture,
                        what=f"opening {name}")

    def _current(self, generation: int) -> bool:
        return generation == self._generation and not self.window.closing

    def _draft_ready(self, generation: int, draft) -> None:
        if draft is None or not self._current(generation) or self._full_generation == generation:
            return
        self._draft_generation = generation
        canvas = self.window.canvas
        canvas.set_document(None)
        canvas.set_picture(draft.pyramid)
        self.window.status.show_size(draft.pyramid.full_width, draft.pyramid.full_height,
                                     " (loading full resolution)")

    def _loaded(self, generation: int, loaded, remember: str | None) -> None:
        started = self._starts.pop(generation, None)
        if not self._current(generation):
            return
        self._full_generation = generation
        note = self._page_notes.pop(generation, "")
        self.paged = _paged_source(started, loaded, remember, bool(note))
        if self.paged is not None and self.paged[0] == "pages":
            count, page = loaded.picture.page_count, loaded.picture.page
            note = f"Page {page + 1} of {count} · "
            self.window.status.showMessage(
                f"This file has {count} pages; page {page + 1} is open. File › Choose page… "
                "opens another.", 20000)
        self.window.status.page_note = note
        pyramid = self.window.canvas.pyramid
        keep_view = self._draft_generation == generation and pyramid is not None and \
            (pyramid.full_width, pyramid.full_height) == loaded.picture.image.size
        self.window.install_picture(loaded, remember, keep_view)

    def _failed(self, generation: int, message: str) -> None:
        self._starts.pop(generation, None)
        if not self._current(generation):
            return
        canvas = self.window.canvas
        canvas.busy_text = ""
        if self._draft_generation == generation:  # put the previous picture back
            canvas.set_picture(self._previous_pyramid)
            canvas.set_document(self.window.document)
        canvas.refresh()
        self.window.report_error(message, "The image could not be opened")


def _paged_source(started: tuple | None, loaded, remember: str | None,
                  is_pdf_page: bool) -> tuple | None:
    """What File › Choose page… reopens for the picture just loaded, or None."""
    if is_pdf_page and remember:
        return ("pdf", remember)
    picture = loaded.picture
    if started is None or picture.dicom is not None or picture.page_count < 2:
        return None  # one page; a radiograph's frames have their own control
    source, name, _remember = started
    base = name.split(" (page ")[0]
    return ("pages", source, base, remember, picture.page_count, picture.page)
