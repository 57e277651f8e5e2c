"""What the editor needs to know about a PDF page or a DICOM frame, beside its pixels.

These describe how the pixels were made (page count, resolution, window, warnings); they
carry no text from the source file's header, so nothing here identifies a patient.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Window presets (centre, width) in Hounsfield units, as used for CT; on a radiograph they
#: apply to the stored values after RescaleSlope/Intercept, which is what the file offers.
WINDOW_PRESETS: dict[str, tuple[float, float]] = {
    "bone": (300.0, 1500.0),
    "lung": (-600.0, 1500.0),
    "soft tissue": (40.0, 400.0),
}


@dataclass(frozen=True)
class PdfInfo:
    """A rendered PDF page: the resolution it was rendered at and the page's size."""

    dpi: float
    width_points: float
    height_points: float
    encrypted: bool = False


@dataclass(frozen=True)
class DicomInfo:
    """A decoded DICOM frame and how its values were turned into grey levels."""

    modality: str                               # "CR", "CT", "US"... ("" when absent)
    photometric: str                            # "MONOCHROME1", "MONOCHROME2", "RGB", ...
    bits_stored: int
    frame_count: int
    own_window: tuple[float, float] | None      # the file's own centre/width, if it has one
    window: tuple[float, float] | None          # what was applied (None for colour pixels)
    # smallest and largest value after rescale; None when not measured (a frame opened once
    # through a window known beforehand is windowed as read: DicomImage measures it when kept)
    value_range: tuple[float, float] | None
    burned_in: bool                             # text is declared or likely in the pixels
    burned_in_reason: str = ""                  # plain words: why we think so
    overlay_count: int = 0                      # readable overlay planes in the file
    overlays_shown: bool = False                # some are drawn into these pixels

    @property
    def is_colour(self) -> bool:
        return not self.photometric.startswith("MONOCHROME")
