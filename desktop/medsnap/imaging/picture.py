"""The decoded source picture handed to the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from medsnap.imaging.source_info import DicomInfo, PdfInfo

#: Default pixel-count ceiling for a source image (width x height), checked before decoding.
DEFAULT_MAX_PIXELS = 100_000_000


class PixelLimit(int):
    """A pixel ceiling someone chose (the hospital's policy), not the guard against hostile
    files: a refusal then names who set it and what to do, instead of suspecting the file.
    An int everywhere else, so every loader takes it as ``max_pixels`` unchanged."""

    set_by: str

    def __new__(cls, pixels: int, set_by: str) -> PixelLimit:
        limit = super().__new__(cls, pixels)
        limit.set_by = set_by
        return limit


@dataclass(frozen=True)
class Picture:
    """Upright 8-bit pixels of one page of a source file, and nothing else from it.

    ``image`` is a plain ``PIL.Image.Image`` in mode "RGB" or "RGBA" (or "L" for a
    greyscale radiograph) with an empty ``info``: no EXIF, XMP, ICC profile, comment or any
    other part of the source container survives.
    """

    image: Image.Image
    page: int
    page_count: int
    source_format: str
    #: PDF and DICOM sources say how their pixels were made (resolution, window, warnings)
    pdf: PdfInfo | None = None
    dicom: DicomInfo | None = None
    #: plain-words cautions for the clinician (e.g. text burned into a radiograph)
    warnings: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height
