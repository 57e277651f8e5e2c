"""Read a DICOM header with pydicom, and decode frames through pydicom's pixel handlers.

The header is read with large values (the Pixel Data of any sizeable image) left in the file:
uncompressed grey frames are then read straight from it (dicom_native), and pydicom reads the
value itself only when its decoder is needed (compressed syntaxes, colour, bit-packed ...).
"""

from __future__ import annotations

import io
import os

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from medsnap.errors import ImageError
from medsnap.imaging.dicom_native import DEFER_BYTES
from medsnap.imaging.record_errors import unopenable

SAFE = "The original file was not changed and nothing was sent or saved from it."


def read_dataset(source: str | os.PathLike[str] | bytes, name: str, bare: bool):
    """The dataset (Pixel Data deferred when large) and where it was read from: the path,
    or the bytes. Raises ImageError."""
    origin = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) \
        else str(source)
    stream = io.BytesIO(origin) if isinstance(origin, bytes) else origin
    try:
        ds = pydicom.dcmread(stream, force=bare, defer_size=DEFER_BYTES)
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError, OverflowError,
            NotImplementedError, AttributeError) as error:
        raise ImageError(f"{name} is damaged and cannot be read as DICOM ({type(error).__name__})"
                         f". {SAFE} Export the image again from the PACS viewer.") from None
    except OSError as error:
        raise unopenable(name, error) from None
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise ImageError(f"{name} holds no image (a DICOM report or structured document). "
                         f"{SAFE} Open the image series it belongs to instead.")
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:  # a bare dataset: say how it was read
        ds.file_meta = meta = meta or pydicom.dataset.FileMetaDataset()
        implicit = getattr(ds, "is_implicit_VR", None)
        if implicit is None:
            implicit = ds.original_encoding[0] if getattr(ds, "original_encoding", None) else True
        meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    return ds, origin


def decode_frame(ds, name: str, frame: int, frames: int) -> np.ndarray:
    """Frame ``frame`` as pydicom's decoder gives it. Raises ImageError."""
    from pydicom.pixels import pixel_array

    syntax = ds.file_meta.TransferSyntaxUID
    try:
        return pixel_array(ds, index=frame if frames > 1 else None)
    except MemoryError:
        raise out_of_memory(name) from None
    except (RuntimeError, NotImplementedError) as error:
        if "plugin" in str(error).lower() or "decoder" in str(error).lower():
            raise ImageError(f"{name} is compressed as {syntax.name}, which MedSnap cannot "
                             f"decode. {SAFE} Export it uncompressed from the PACS viewer."
                             ) from None
        raise damaged(name) from None
    except Exception:  # noqa: BLE001 - decoders raise many types for damaged pixel data
        raise damaged(name) from None


def damaged(name: str) -> ImageError:
    return ImageError(f"{name} has damaged or incomplete pixel data, so it cannot be shown. "
                      f"{SAFE} Export the image again from the PACS viewer.")


def out_of_memory(name: str) -> ImageError:
    return ImageError(f"{name} needs more memory than this computer has free. {SAFE} "
                      "Close other programs and try again.")


def changed(name: str) -> ImageError:
    return ImageError(f"{name} changed on disk after it was opened, so its frames may no "
                      f"longer match what is shown. {SAFE} Open the file again.")
