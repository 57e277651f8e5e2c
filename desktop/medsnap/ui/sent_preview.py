"""Output from the editor: "Preview as sent" and "Save a copy…", both through the one
clean export path (render -> encode_clean, verified), run off the UI thread."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from medsnap.ui.image_sources import SAVE_FILTERS

if TYPE_CHECKING:
    from datetime import datetime

    from medsnap.document.model import Document
    from medsnap.ui.pyramid import Pyramid
    from medsnap.ui.main_window import MainWindow


def suggested_copy_name(document: Document, now: datetime | None = None) -> str:
    """A neutral name (the source's may carry a patient's name) in the format Send uses:
    JPEG for a JPEG photograph (a PNG of one is ~6 times larger), PNG for radiographs,
    scans, screenshots, letters and drawings."""
    from datetime import datetime

    from medsnap.exporting import format_for_picture

    kind = format_for_picture(document.picture)
    suffix = "jpg" if kind == "jpeg" else "png"
    return f"MedSnap copy {(now or datetime.now()):%Y-%m-%d %H%M}.{suffix}"


def snapshot(document: Document) -> Document:
    """A copy the worker can read while the clinician keeps editing the original (and the
    painters' Qt enums made here, on the UI thread, before a worker paints: render_enums)."""
    from medsnap.document.model import Document
    from medsnap.render_enums import make_render_enums

    make_render_enums()
    return Document(document.picture, crop=document.crop, annotations=document.annotations)


def sent_bytes(document: Document, quality: int | None = None) -> bytes:
    """What Send seals: PNG unless the picture came as a JPEG photograph, grey kept grey
    (``format_for_picture``, the rule ``medsnap send`` follows too); a JPEG at ``quality``
    (the window's policy.jpeg_quality; None: policy, else the default)."""
    from medsnap.exporting import export_bytes, format_for_picture

    return export_bytes(document, format_for_picture(document.picture), quality)


def sent_pixels(document: Document, quality: int | None = None) -> tuple[Pyramid, int]:
    """Exactly what would leave the machine: the export bytes, decoded again."""
    from PIL import Image

    from medsnap.ui.pyramid import Pyramid

    data = sent_bytes(document, quality)
    with Image.open(io.BytesIO(data)) as decoded:
        image = decoded.convert("RGBA" if decoded.mode in ("RGBA", "LA", "P") else "RGB")
    return Pyramid.build(image), len(data)


class SentPreview:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._generation = 0

    @property
    def active(self) -> bool:
        return self.window.canvas.sent_preview is not None or self.window.actions.preview.isChecked()

    def toggle(self) -> None:
        if self.window.canvas.sent_preview is not None or not self.window.actions.preview.isChecked():
            self.switch_off()
            return
        self.switch_on()

    def switch_on(self) -> None:
        window = self.window
        if window.document is None:
            window.actions.preview.setChecked(False)
            return
        self._generation += 1
        generation = self._generation
        copy, quality = snapshot(window.document), window.policy.jpeg_quality
        window.actions.preview.setChecked(True)
        window.canvas.busy_text = "Preparing the clean copy…"
        window.canvas.refresh()
        window.jobs.run(lambda: sent_pixels(copy, quality),
                        lambda result: self._shown(generation, result),
                        lambda message: self._failed(generation, message),
                        what="preparing the preview")

    def switch_off(self) -> None:
        self._generation += 1
        window = self.window
        window.actions.preview.setChecked(False)
        if window.canvas.sent_preview is not None or window.canvas.busy_text.startswith("Preparing"):
            window.canvas.busy_text = ""
            window.canvas.set_sent_preview(None)

    def _shown(self, generation: int, result: tuple[Pyramid, int]) -> None:
        if generation != self._generation or self.window.closing:
            return
        pyramid, size = result
        self.window.canvas.busy_text = "Preview as sent"
        self.window.canvas.set_sent_preview(pyramid)
        self.window.status.showMessage(
            f"Preview as sent: {pyramid.full_width} × {pyramid.full_height} px, "
            f"{size / 1024:.0f} KB, no metadata", 8000)

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.switch_off()
        self.window.report_error(message, "The preview could not be made")

    def copy_to_clipboard(self) -> None:
        """The clean pixels (as they would be sent), only when policy allows copying."""
        from PySide6.QtGui import QGuiApplication

        window = self.window
        if window.document is None or not window.policy.allow_copy:
            return
        copy = snapshot(window.document)

        def copied(result: tuple[Pyramid, int]) -> None:
            pyramid, _size = result
            QGuiApplication.clipboard().setImage(pyramid.levels[0].image)
            window.status.showMessage("Copied the clean picture to the clipboard", 6000)

        quality = window.policy.jpeg_quality
        window.jobs.run(lambda: sent_pixels(copy, quality), copied,
                        lambda message: window.report_error(message, "Nothing was copied"),
                        what="copying the picture")

    def save_copy(self, then: Callable[[], object] | None = None) -> None:
        """``then``: run once the copy is written (not if the dialog is cancelled)."""
        from medsnap.ui import file_dialogs  # not needed to start

        window = self.window
        if window.document is None or not window.policy.allow_save_copy:
            return
        from medsnap.ui.file_folders import DOCUMENTS_FIRST

        name = suggested_copy_name(window.document)
        suggested = str(Path(window.folders.start(DOCUMENTS_FIRST)) / name)
        png_filter, jpeg_filter = SAVE_FILTERS.split(";;")
        path, chosen = file_dialogs.ask_save_file(
            window, "Save a clean copy", suggested, SAVE_FILTERS,
            jpeg_filter if name.endswith(".jpg") else png_filter)
        if path and not window.content_private:  # not if it locked while the dialog was open
            window.folders.remember(path)
            fmt = "jpeg" if chosen.startswith("JPEG") and not path.lower().endswith(".png") else None
            self.save_to(path, fmt, then)

    def save_to(self, path: str, fmt: str | None = None,
                then: Callable[[], object] | None = None) -> None:
        window = self.window
        from medsnap.exporting import export_document

        copy = snapshot(window.document)
        quality = window.policy.jpeg_quality
        window.jobs.run(lambda: export_document(copy, path, fmt, quality),
                        lambda written: (window.status.showMessage(
                            f"Saved a clean {written.upper()} copy to {path}", 10000),
                            then and then()),
                        lambda message: window.report_error(message, "The copy was not saved"),
                        what="saving the copy")
