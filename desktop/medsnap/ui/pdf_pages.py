"""Pick a page of a PDF letter: thumbnails, resolution, and the password if it has one.

Self-contained: the dialog only binds. PDFium work (page sizes, thumbnails) runs off the UI
thread through ``Jobs`` on a private one-thread pool, one job per thumbnail, so they appear
one by one and closing the dialog drops those still queued. When the user accepts, the
dialog emits ``page_chosen(page, dpi, password)``; the caller loads that page with
``load_picture(source, page=page, dpi=dpi, password=password)``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QListWidget, QListWidgetItem, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from medsnap.imaging.picture import DEFAULT_MAX_PIXELS
from medsnap.ui.jobs import Jobs
from medsnap.ui.pyramid import qimage_from_pil

THUMBNAIL_SIDE = 160
DEFAULT_DPI, MIN_DPI, MAX_DPI = 200, 36, 1200


def _open_document(source, password: str | None):
    """Worker: page sizes; ("locked", "") when a password is needed (asked for in plain
    words, it is no error), ("locked", message) when the one given was wrong."""
    from medsnap.imaging.pdf import page_sizes
    from medsnap.imaging.record_errors import PdfPasswordRequired, WrongPdfPassword

    try:
        return ("open", page_sizes(source, password=password))
    except PdfPasswordRequired:
        return ("locked", "")
    except WrongPdfPassword as error:
        return ("locked", error.message)


def _file_name(source) -> str:
    return os.path.basename(os.fspath(source)) if isinstance(source, (str, os.PathLike)) \
        else "This PDF"


def _thumbnail(source, page: int, password: str | None):
    """Worker: (page, QImage), or (page, None) for a page too complex to preview in time
    (it may still open, with more time)."""
    from medsnap.imaging.pdf import render_thumbnail
    from medsnap.imaging.record_errors import PageTooComplex

    from PIL import ImageOps

    try:
        image = render_thumbnail(source, page, longest_side=THUMBNAIL_SIDE - 2,
                                 password=password)
    except PageTooComplex:
        return page, None
    framed = ImageOps.expand(image, border=1, fill=(150, 150, 150))  # white page, white list
    return page, qimage_from_pil(framed)  # QImage (not QPixmap) is safe off the UI thread


class PdfPageDialog(QDialog):
    page_chosen = Signal(int, float, str)  # page (0-based), dpi, password ("" if none)
    pages_listed = Signal(int)             # page count, once the document opened
    password_needed = Signal(str)          # the plain message shown beside the password box
    thumbnails_done = Signal()

    def __init__(self, source: str | os.PathLike[str] | bytes, parent: QWidget | None = None,
                 *, dpi: int = DEFAULT_DPI, max_pixels: int = DEFAULT_MAX_PIXELS,
                 page: int = 0) -> None:
        super().__init__(parent)
        self._first_choice = page  # the page chosen last time this letter was opened
        self.setWindowTitle("Choose a page")
        self.setAccessibleName("Choose a page of the PDF")
        self._source, self._max_pixels = source, max_pixels
        self._password: str | None = None
        self._sizes: list[tuple[float, float]] = []
        self._pending = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one PDFium user at a time, in page order
        self._jobs = Jobs(self, self._pool)
        self._build(dpi)
        self._start()

    # -- layout -------------------------------------------------------------------------
    def _build(self, dpi: int) -> None:
        layout = QVBoxLayout(self)
        self.message = QLabel("Opening the PDF…", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.password_row = QWidget(self)
        row = QHBoxLayout(self.password_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.password_box = QLineEdit(self.password_row)
        self.password_box.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_box.setAccessibleName("PDF password")
        self.password_box.setPlaceholderText("Password")
        self.unlock_button = QPushButton("Open", self.password_row)
        self.unlock_button.setAccessibleName("Open with this password")
        row.addWidget(QLabel("Password:", self.password_row))
        row.addWidget(self.password_box, 1)
        row.addWidget(self.unlock_button)
        # Enter in the password box presses the default button, made this Open while the
        # row shows (the dialog's own Enter handling closed it, opening nothing)
        self.unlock_button.clicked.connect(self._unlock)
        self.password_row.hide()
        layout.addWidget(self.password_row)
        self.pages = QListWidget(self)
        self.pages.setAccessibleName("Pages")
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setMovement(QListView.Movement.Static)
        self.pages.setMinimumSize(4 * (THUMBNAIL_SIDE + 24), 2 * THUMBNAIL_SIDE + 40)
        self.pages.currentRowChanged.connect(self._update_size)
        self.pages.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.pages, 1)
        self.settings_row = QWidget(self)  # hidden until there are pages to choose from
        settings = QHBoxLayout(self.settings_row)
        settings.setContentsMargins(0, 0, 0, 0)
        self.dpi_box = QSpinBox(self)
        self.dpi_box.setRange(MIN_DPI, MAX_DPI)
        self.dpi_box.setSingleStep(25)
        self.dpi_box.setSuffix(" dpi")
        self.dpi_box.setValue(dpi)
        self.dpi_box.setAccessibleName("Resolution")
        self.dpi_box.setToolTip("Higher resolution shows small print sharper when you zoom in")
        self.dpi_box.valueChanged.connect(self._update_size)
        label = QLabel("Resolution:", self)
        label.setBuddy(self.dpi_box)
        self.size_label = QLabel("", self)
        self.size_label.setAccessibleName("Size of the opened page")
        settings.addWidget(label)
        settings.addWidget(self.dpi_box)
        settings.addWidget(self.size_label, 1)
        layout.addWidget(self.settings_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._open_button().setEnabled(False)
        self._show_pages(False)

    def _show_pages(self, shown: bool) -> None:
        """Pages and resolution only once there are pages: not beside a password box (with
        a second, disabled Open) nor under a message that the file cannot be opened."""
        self.pages.setVisible(shown)
        self.settings_row.setVisible(shown)
        self._open_button().setVisible(shown)
        self.adjustSize()

    def _open_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Open)

    # -- work off the UI thread ---------------------------------------------------------
    def _start(self) -> None:
        source, password = self._source, self._password
        self._jobs.run(lambda: _open_document(source, password), self._opened,
                       self._failed, what="opening the PDF")

    def _opened(self, result) -> None:
        state, value = result
        if state == "locked":
            self.message.setText(value or f"“{_file_name(self._source)}” is protected by a "
                                 "password. Type it to open the letter.")
            self._show_pages(False)
            self.password_row.show()
            self.password_box.setEnabled(True)
            self.unlock_button.setEnabled(True)
            self.unlock_button.setDefault(True)
            self.password_box.selectAll()
            self.password_box.setFocus()
            self.password_needed.emit(self.message.text())
            return
        self.password_row.hide()
        self.unlock_button.setDefault(False)
        self._open_button().setDefault(True)
        self._show_pages(True)
        self._sizes = value
        count = len(value)
        self.message.setText(f"{count} page{'s' if count != 1 else ''}. Choose the page "
                             "to open; you can crop and zoom afterwards.")
        source, password = self._source, self._password
        for page in range(count):
            item = QListWidgetItem(f"Page {page + 1}")
            item.setSizeHint(QSize(THUMBNAIL_SIDE + 16, THUMBNAIL_SIDE + 28))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.pages.addItem(item)
            self._pending += 1
            self._jobs.run(lambda page=page: _thumbnail(source, page, password),
                           self._thumbnail_ready, self._thumbnail_failed,
                           what="drawing a page preview")
        self.pages_listed.emit(count)
        if count:
            self.pages.setCurrentRow(min(max(0, self._first_choice), count - 1))
        else:
            self.thumbnails_done.emit()

    def _thumbnail_ready(self, result) -> None:
        page, image = result
        item = self.pages.item(page)
        if item is not None and image is None:
            item.setText(f"Page {page + 1}\n(too complex to preview)")
            item.setToolTip("This page took too long to draw as a preview. Opening it may "
                            "take long too, or stop with a message; nothing is changed.")
        elif item is not None:
            item.setIcon(QIcon(QPixmap.fromImage(image)))
        self._thumbnail_settled()

    def _thumbnail_failed(self, message: str) -> None:
        self._thumbnail_settled()  # the page can still be opened; its preview is blank

    def _thumbnail_settled(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.thumbnails_done.emit()

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        self._open_button().setEnabled(False)
        self._show_pages(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")

    def _unlock(self) -> None:
        self._password = self.password_box.text() or None
        self.password_box.setEnabled(False)
        self.unlock_button.setEnabled(False)
        self.message.setText("Opening the PDF…")
        self._start()

    # -- binding --------------------------------------------------------------------------
    def _update_size(self, *_args) -> None:
        from medsnap.imaging.pdf import max_dpi_within, rendered_size

        page = self.pages.currentRow()
        if not 0 <= page < len(self._sizes):
            self._open_button().setEnabled(False)
            return
        width, height = rendered_size(*self._sizes[page], self.dpi_box.value())
        if width * height > self._max_pixels:
            fitting = max_dpi_within(self._sizes[page], self._max_pixels)
            self.size_label.setText(f"{width} x {height} pixels is too large: choose "
                                    f"{fitting} dpi or less.")
            self._open_button().setEnabled(False)
        else:
            self.size_label.setText(f"Page {page + 1} opens at {width} x {height} pixels.")
            self._open_button().setEnabled(True)

    def chosen_page(self) -> int:
        return self.pages.currentRow()

    def dpi(self) -> int:
        return self.dpi_box.value()

    def password(self) -> str | None:
        return self._password

    def accept(self) -> None:
        if not self._open_button().isEnabled():
            return
        self.page_chosen.emit(self.chosen_page(), float(self.dpi()), self._password or "")
        super().accept()

    def done(self, result: int) -> None:
        self._pool.clear()  # queued thumbnails are not needed any more
        if not self._pool.waitForDone(300):  # a preview still drawing: a heavy page
            from medsnap.imaging import pdf_worker

            pdf_worker.shutdown()  # stop PDFium rather than keep the window waiting
            self._pool.waitForDone(5000)
        super().done(result)
