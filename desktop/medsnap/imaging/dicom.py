"""Decode one frame of a DICOM file (radiograph, CT slice, ultrasound) into a Picture.

Only pixels leave: the header (patient, institution, physicians, private tags) is read by
pydicom to decode the pixels and is then dropped; what the Picture keeps (modality, window,
bit depth) identifies nobody. Compressed transfer syntaxes decode through pydicom's plugins
(pylibjpeg with OpenJPEG, pyjpegls, Pillow, pydicom's own RLE).

Which files count as DICOM: a Part 10 file ('DICM' at offset 128), whatever its name; and a
bare dataset without the 128-byte preamble (as some old PACS exports are) only when it starts
with a group 0002 or 0008 element, pydicom reads it with ``force`` and it has pixel data.
Anything else is not taken for DICOM.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging.dicom_cautions import burned_in, cautions
from medsnap.imaging.dicom_native import SourceChanged, native_frames
from medsnap.imaging.dicom_overlay import overlay_mask, read_overlays
from medsnap.imaging.dicom_read import SAFE as _SAFE
from medsnap.imaging.dicom_strips import window_strips
from medsnap.imaging.dicom_read import changed, damaged, decode_frame, out_of_memory, \
    read_dataset
from medsnap.imaging.dicom_window import apply_table, default_window, stored_table, \
    window_lut
from medsnap.imaging.picture import DEFAULT_MAX_PIXELS, Picture
from medsnap.imaging.record_errors import NoSuchPage, unopenable
from medsnap.imaging.record_sniff import looks_like_dicom, may_be_bare_dataset  # noqa: F401
from medsnap.imaging.source_info import DicomInfo

def _name(source: str | os.PathLike[str] | bytes) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "The DICOM image"
    return f"The DICOM file '{Path(source).name}'"


class DicomImage:
    """A read DICOM file whose frames can be windowed again without decoding it again."""

    def __init__(self, source: str | os.PathLike[str] | bytes, *, bare: bool = False,
                 max_pixels: int = DEFAULT_MAX_PIXELS, keep_samples: bool = True):
        """``keep_samples`` False is for one look at the file (``load_dicom_picture``): a
        frame read straight from the file whose window is known beforehand (given, or the
        file's own) is then windowed strip by strip as it is read, and its samples are not
        kept. ``stored`` still reads and keeps them when asked."""
        self._keep_samples = keep_samples
        self.name = _name(source)
        self._dataset, origin = read_dataset(source, self.name, bare)
        ds = self._dataset
        try:
            self.rows, self.columns = int(ds.Rows), int(ds.Columns)
            self.frame_count = int(getattr(ds, "NumberOfFrames", 1) or 1)
            self.photometric = str(ds.PhotometricInterpretation).strip().upper()
            self.bits_stored = int(getattr(ds, "BitsStored", ds.BitsAllocated))
        except (AttributeError, TypeError, ValueError):
            raise ImageError(f"{self.name} has no complete image description (rows, columns, "
                             f"colour), so its pixels cannot be decoded. {_SAFE} Export the "
                             "image again from the PACS viewer.") from None
        if self.rows <= 0 or self.columns <= 0:
            raise ImageError(f"{self.name} says it has no pixels. {_SAFE} Ask for a fresh copy.")
        if self.rows * self.columns > max_pixels:
            raise ImageError(f"{self.name} claims to be {self.columns} x {self.rows} pixels, "
                             f"more than the limit of {max_pixels / 1e6:.0f} megapixels. "
                             f"{_SAFE} Ask for a smaller copy.")
        self.modality = str(getattr(ds, "Modality", "") or "").strip().upper()
        self.own_window = _own_window(ds)
        self.voi_function = str(getattr(ds, "VOILUTFunction", "LINEAR") or "LINEAR")
        self.burned_in, self.burned_in_reason = burned_in(ds, self.modality)
        self._overlays, self.damaged_overlays = read_overlays(ds, max_pixels)
        # PS3.3 C.11.6: INVERSE flips MONOCHROME2; MONOCHROME1 is inverse by definition
        inverse = str(getattr(ds, "PresentationLUTShape", "") or "").strip().upper() == "INVERSE"
        self.inverted = (self.photometric == "MONOCHROME1") != (
            inverse and self.photometric == "MONOCHROME2")
        # uncompressed grey frames: read straight from the file (None: pydicom decodes)
        self._native = native_frames(ds, origin, self.rows, self.columns, self.frame_count)
        self._stored: dict[int, np.ndarray] = {}
        self._ranges: dict[int, tuple[float, float]] = {}
        self._masks: dict[int, tuple[np.ndarray | None, int]] = {}

    @property
    def reads_directly(self) -> bool:
        """True when frames are read straight from the file (uncompressed grey samples),
        False when pydicom's decoder decodes them."""
        return self._native is not None

    @property
    def overlay_count(self) -> int:
        """Readable overlay planes in the file (any frame)."""
        return len(self._overlays)

    def stored(self, frame: int) -> np.ndarray:
        """The frame's stored samples as pydicom decodes them (cached)."""
        self._check(frame)
        if frame not in self._stored:
            self._fetch(frame)
        return self._stored[frame]

    def _check(self, frame: int) -> None:
        if not 0 <= frame < self.frame_count:
            frames = "1 frame" if self.frame_count == 1 else f"{self.frame_count} frames"
            raise NoSuchPage(f"{self.name} has {frames}; frame {frame + 1} does not exist. "
                             f"Choose a frame from 1 to {self.frame_count}.")

    def _fetch(self, frame: int) -> None:
        """Decode ``frame`` into the cache (read directly: its value range too)."""
        if self._native is None:
            self._stored[frame] = decode_frame(self._dataset, self.name, frame,
                                               self.frame_count)
            return
        with self._reading():
            stored, (low, high) = self._native.read(frame)
        self._stored[frame] = stored
        self._ranges[frame] = self._rescaled(low, high)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Reading samples straight from the file: its failures in a clinician's words."""
        try:
            yield
        except EOFError:
            raise damaged(self.name) from None
        except SourceChanged:
            raise changed(self.name) from None
        except MemoryError:
            raise out_of_memory(self.name) from None
        except OSError as error:
            raise unopenable(self.name, error) from None

    def picture(self, frame: int = 0, window: tuple[float, float] | None = None, *,
                overlays: bool = True) -> Picture:
        """Frame ``frame`` (0-based) through ``window`` (centre, width); None: the file's own
        window, else the full range of values present. ``overlays`` draws the file's
        overlay planes in white, as a PACS viewer does (see dicom_overlay).

        Grey frames come out as one 8-bit "L" image (a third of the memory of RGB, and no
        channel copies): the painter and the encoder take it as it is.
        """
        self._check(frame)
        mask, drawn = self._overlay(frame) if overlays else (None, 0)
        if self.photometric.startswith("MONOCHROME"):
            grey, applied, value_range = self._grey(frame, window)
            if mask is not None:
                np.bitwise_or(grey, mask, out=grey)  # white where an overlay marks
            image = Image.fromarray(grey)  # shares the array's memory: no copy
        else:
            image, applied, value_range = _colour(self.stored(frame), self._dataset), None, \
                (0.0, 255.0)
            if mask is not None:
                image.paste((255, 255, 255), (0, 0), Image.fromarray(mask))
        burned, reason, notes = cautions(self.burned_in_reason, drawn, self.damaged_overlays)
        info = DicomInfo(modality=self.modality, photometric=self.photometric,
                         bits_stored=self.bits_stored, frame_count=self.frame_count,
                         own_window=self.own_window, window=applied, value_range=value_range,
                         burned_in=burned, burned_in_reason=reason,
                         overlay_count=self.overlay_count, overlays_shown=bool(drawn))
        return Picture(image=image, page=frame, page_count=self.frame_count,
                       source_format="DICOM", dicom=info, warnings=notes)

    def _overlay(self, frame: int) -> tuple[np.ndarray | None, int]:
        if frame not in self._masks:
            self._masks[frame] = overlay_mask(self._overlays, frame, self.rows, self.columns)
        return self._masks[frame]

    def _value_range(self, frame: int, stored: np.ndarray) -> tuple[float, float]:
        """Smallest and largest stored sample of the frame, after rescale (cached)."""
        if frame not in self._ranges:
            low, high = stored.min(), stored.max()
            mask = self._stored_bits_mask(stored.dtype) if stored.dtype.kind == "u" else None
            if mask is not None and int(high) > mask:  # bits above HighBit: not the value
                masked = np.bitwise_and(stored, mask)
                low, high = masked.min(), masked.max()
            self._ranges[frame] = self._rescaled(low, high)
        return self._ranges[frame]

    def _rescaled(self, low, high) -> tuple[float, float]:
        slope, intercept = self._rescale()
        low, high = (float(v) * slope + intercept for v in (low, high))
        return min(low, high), max(low, high)

    def _stored_bits_mask(self, dtype: np.dtype) -> int | None:
        """For integer samples with fewer stored bits than allocated, the value's bits."""
        if dtype.kind not in "iu" or not 0 < self.bits_stored < dtype.itemsize * 8:
            return None
        return (1 << self.bits_stored) - 1

    def _rescale(self) -> tuple[float, float]:
        ds = self._dataset
        return (float(getattr(ds, "RescaleSlope", 1) or 1),
                float(getattr(ds, "RescaleIntercept", 0) or 0))

    def _grey(self, frame: int, window):
        ds = self._dataset
        voi_table = "VOILUTSequence" in ds and window is None and self.own_window is None
        function = self.voi_function if window is None else "LINEAR"
        known = window or self.own_window  # a window that does not need the value range
        if not voi_table and known is not None and self._native is not None \
                and not self._keep_samples and frame not in self._stored:
            return self._grey_as_read(frame, known, function)
        stored = self.stored(frame)
        if stored.ndim != 2:
            stored = stored.reshape(self.rows, self.columns)
        value_range = self._value_range(frame, stored)
        if voi_table:  # an explicit VOI LUT is the file's own window
            from pydicom.pixels import apply_modality_lut, apply_voi_lut
            mapped = apply_voi_lut(apply_modality_lut(stored, ds), ds, prefer_lut=True)
            top = float(mapped.max()) or 1.0
            bits = int(ds.VOILUTSequence[0].LUTDescriptor[2]) if "LUTDescriptor" in \
                ds.VOILUTSequence[0] else 0
            top = float((1 << bits) - 1) if 8 <= bits <= 16 else top
            grey = np.clip(np.rint(mapped * (255.0 / top)), 0, 255).astype(np.uint8)
            return self._shown(grey), None, value_range
        center, width = known or default_window(*value_range)
        if stored.dtype.kind in "iu" and stored.dtype.itemsize <= 2:
            grey = apply_table(stored, self._table(stored.dtype, (center, width), function))
        else:
            slope, intercept = self._rescale()
            grey = self._shown(window_lut(stored.astype(np.float64) * slope + intercept,
                                          center, width, function))
        return grey, (float(center), float(width)), value_range

    def _grey_as_read(self, frame: int, window: tuple[float, float], function: str):
        """The frame windowed strip by strip as it is read from the file: one pass, in cache,
        instead of a frame-sized array written then read again. The samples are not kept,
        corrected or measured (the table ignores bits above High Bit), so the value range
        is left unknown unless it was measured before."""
        table = self._table(self._native.dtype, window, function)
        grey = np.empty((self.rows, self.columns), np.uint8)
        with self._reading():
            window_strips(self._native, frame, table, grey)
        return grey, (float(window[0]), float(window[1])), self._ranges.get(frame)

    def _table(self, dtype: np.dtype, window: tuple[float, float], function: str) -> np.ndarray:
        """One 8-bit entry for every stored value: rescale, window and inversion folded in."""
        return self._shown(stored_table(dtype, self._stored_bits_mask(dtype), self._rescale(),
                                        *window, function))

    def _shown(self, grey: np.ndarray) -> np.ndarray:
        """MONOCHROME1 (0 is white) or an INVERSE presentation: flipped, in place."""
        if self.inverted:
            np.subtract(255, grey, out=grey)
        return grey


def _colour(stored: np.ndarray, ds) -> Image.Image:
    """RGB / YBR (pydicom converts YBR to RGB) and PALETTE COLOR pixels as 8-bit RGB."""
    if str(ds.PhotometricInterpretation).upper() == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut
        stored = apply_color_lut(stored, ds)
    if stored.dtype != np.uint8:
        top = float((1 << int(getattr(ds, "BitsStored", 16))) - 1) if stored.dtype.kind in "iu" \
            else float(stored.max() or 1)
        stored = np.clip(np.rint(stored * (255.0 / top)), 0, 255).astype(np.uint8)
    if stored.ndim == 2:
        return Image.fromarray(stored, "L").convert("RGB")
    return Image.fromarray(np.ascontiguousarray(stored[..., :3]), "RGB")


def _first(value) -> float:
    """WindowCenter/Width may hold several windows; the first is the file's default."""
    try:
        return float(value[0]) if not isinstance(value, (str, bytes)) else float(value)
    except TypeError:  # a single number
        return float(value)


def _own_window(ds) -> tuple[float, float] | None:
    center, width = getattr(ds, "WindowCenter", None), getattr(ds, "WindowWidth", None)
    if center is None or width is None:
        return None
    try:
        center_value, width_value = _first(center), _first(width)
    except (TypeError, ValueError, IndexError):
        return None
    return (center_value, width_value) if width_value > 0 else None


def load_dicom_picture(source: str | os.PathLike[str] | bytes, *, frame: int = 0,
                       window: tuple[float, float] | None = None, bare: bool = False,
                       max_pixels: int = DEFAULT_MAX_PIXELS, overlays: bool = True) -> Picture:
    """Read ``source`` and window frame ``frame`` (0-based), overlays drawn unless
    ``overlays`` is False. Raises ImageError."""
    image = DicomImage(source, bare=bare, max_pixels=max_pixels, keep_samples=False)
    return image.picture(frame, window, overlays=overlays)
