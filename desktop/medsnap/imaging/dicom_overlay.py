"""Overlay planes (60xx,3000): marks and text a radiology system keeps beside the pixels.

PACS viewers draw them over the image by default (arrows, measurement marks, regions, and
sometimes text such as a name, an accession number or "LEFT"), so a clinician who shares a
radiograph expects to see them. MedSnap draws them too, in white over the windowed grey,
so they become ordinary pixels of the picture: visible in the editor, coverable with the
redaction tool, and exported exactly as seen. The editor can hide them instead.

Only the bitmaps are drawn. An overlay's label and description (60xx,1500 / 60xx,0022)
are header text and, like all of the header, never leave. Overlays kept in the unused
high bits of the pixel data (retired since 2004) are not drawn; the window ignores those
bits. A plane whose data does not match its own description is skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Overlay groups are the even groups 6000-601E (PS3.5 7.6).
_GROUPS = range(0x6000, 0x6020, 2)


@dataclass(frozen=True)
class OverlayPlane:
    group: int
    top: int                 # rows below the image's first row (negative: above it)
    left: int                # columns right of the image's first column
    first_frame: int         # 0-based image frame the plane's first frame belongs to
    every_frame: bool        # no Multi-frame Overlay module: the plane applies to all frames
    bits: np.ndarray         # (frames, rows, columns) of 0/1


def read_overlays(ds, max_pixels: int) -> tuple[list[OverlayPlane], int]:
    """The dataset's readable overlay planes, and how many planes could not be read."""
    planes: list[OverlayPlane] = []
    damaged = 0
    for group in _GROUPS:
        if (group, 0x3000) not in ds:
            continue
        try:
            planes.append(_plane(ds, group, max_pixels))
        except (AttributeError, ValueError, TypeError, IndexError, KeyError, OverflowError,
                MemoryError):
            damaged += 1
    return planes, damaged


def _value(ds, group: int, element: int, default=None):
    item = ds.get((group, element))
    return default if item is None or item.value in (None, "", b"") else item.value


def _plane(ds, group: int, max_pixels: int) -> OverlayPlane:
    rows, columns = int(_value(ds, group, 0x0010)), int(_value(ds, group, 0x0011))
    frames = int(_value(ds, group, 0x0015, 1))
    if int(_value(ds, group, 0x0100, 1)) != 1 or min(rows, columns, frames) <= 0:
        raise ValueError("not a one-bit overlay")
    if rows * columns * frames > max_pixels:  # a claim built to exhaust memory
        raise ValueError("overlay too large")
    origin = _value(ds, group, 0x0050, [1, 1])
    top, left = (int(v) - 1 for v in origin)  # 1\1 is the image's first pixel
    bits = ds.overlay_array(group)  # pydicom checks the data length against the size
    every_frame = (group, 0x0015) not in ds
    first = int(_value(ds, group, 0x0051, 1)) - 1
    return OverlayPlane(group, top, left, first, every_frame,
                        bits.reshape(frames, rows, columns))


def overlay_mask(planes: list[OverlayPlane], frame: int, rows: int,
                 columns: int) -> tuple[np.ndarray | None, int]:
    """Where any plane marks image frame ``frame`` (255 there, 0 elsewhere, rows x columns,
    ready to OR into 8-bit grey or to use as a paste mask; None: nowhere), and how many
    planes mark it."""
    mask: np.ndarray | None = None
    drawn = 0
    for plane in planes:
        index = 0 if plane.every_frame else frame - plane.first_frame
        if not 0 <= index < plane.bits.shape[0]:
            continue
        bits = plane.bits[index]
        # the part of the plane that falls on the image
        top, left = max(plane.top, 0), max(plane.left, 0)
        bottom = min(plane.top + bits.shape[0], rows)
        right = min(plane.left + bits.shape[1], columns)
        if bottom <= top or right <= left:
            continue
        if mask is None:
            mask = np.zeros((rows, columns), np.uint8)
        inside = bits[top - plane.top:bottom - plane.top, left - plane.left:right - plane.left]
        if inside.any():
            mask[top:bottom, left:right] |= inside.astype(np.uint8) * np.uint8(255)
            drawn += 1
    return (mask, drawn) if drawn else (None, 0)

