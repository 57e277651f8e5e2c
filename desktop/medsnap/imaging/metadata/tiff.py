"""TIFF structure: the IFD chain of a TIFF file, or of an EXIF block inside another format.

In a TIFF file every IFD in the main chain is a page; tags that only describe the pixels
are structure, everything else is reported. In an EXIF block the first IFD describes the
main picture and the second one is a thumbnail (often of the uncropped original).
"""

from __future__ import annotations

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.icc import icc_description
from medsnap.imaging.metadata.items import Damaged, Findings, preview, unpack

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
               13: 4, 16: 8, 17: 8, 18: 8}
_MAX_IFDS = 256

# Tags that only describe how to decode the pixels.
STRUCTURAL = {254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 274, 277, 278, 279,
              280, 281, 282, 283, 284, 286, 287, 290, 291, 296, 297, 317, 318, 319, 320, 321,
              322, 323, 324, 325, 332, 334, 338, 339, 340, 341, 347, 529, 530, 531, 532}
# Tag -> (kind, name) for tags that say something about the picture, person or device.
NAMED = {
    269: (k.TEXT, "DocumentName"), 270: (k.TEXT, "ImageDescription"),
    271: (k.DEVICE, "Make"), 272: (k.DEVICE, "Model"), 285: (k.TEXT, "PageName"),
    305: (k.SOFTWARE, "Software"), 306: (k.TIMESTAMP, "DateTime"), 315: (k.AUTHOR, "Artist"),
    316: (k.DEVICE, "HostComputer"), 330: (k.EMBEDDED, "SubIFDs"),
    700: (k.XMP, "XMP packet"), 18246: (k.TEXT, "Rating"), 33432: (k.AUTHOR, "Copyright"),
    33723: (k.IPTC, "IPTC-NAA"), 34377: (k.APPLICATION, "Photoshop resources"),
    34665: (k.EXIF, "EXIF IFD"), 34675: (k.ICC, "ICC profile"), 34853: (k.GPS, "GPS IFD"),
    36867: (k.TIMESTAMP, "DateTimeOriginal"), 36868: (k.TIMESTAMP, "DateTimeDigitized"),
    37500: (k.APPLICATION, "MakerNote"), 37510: (k.COMMENT, "UserComment"),
    37724: (k.EMBEDDED, "Photoshop layer data"), 40091: (k.TEXT, "XPTitle"),
    40092: (k.COMMENT, "XPComment"), 40093: (k.AUTHOR, "XPAuthor"),
    40094: (k.TEXT, "XPKeywords"), 40095: (k.TEXT, "XPSubject"),
    42016: (k.TEXT, "ImageUniqueID"), 42032: (k.AUTHOR, "CameraOwnerName"),
    42033: (k.DEVICE, "BodySerialNumber"), 42036: (k.DEVICE, "LensModel"),
    50735: (k.DEVICE, "CameraSerialNumber"),
}
_EXIF_IFD, _GPS_IFD, _INTEROP_IFD = 34665, 34853, 40965
_THUMB_OFFSET, _THUMB_LENGTH = 513, 514


class _Ifds:
    """Reads entries from one TIFF-structured byte string with its byte order."""

    def __init__(self, data: bytes, where: str):
        self.data, self.where = data, where
        order = data[:2]
        if order not in (b"II", b"MM"):
            raise Damaged(where, "not a TIFF/EXIF structure (bad byte order mark)")
        self.e = "<" if order == b"II" else ">"
        (magic,) = unpack(self.e + "H", data, 2, where)
        if magic == 43:
            raise Damaged(where, "BigTIFF files cannot be inspected")
        if magic != 42:
            raise Damaged(where, "not a TIFF/EXIF structure (bad magic number)")
        (self.first,) = unpack(self.e + "I", data, 4, where)
        self.seen: set[int] = set()

    def entries(self, offset: int) -> tuple[list[tuple[int, int, int, bytes]], int]:
        """[(tag, type, count, value bytes)], next IFD offset."""
        where = f"{self.where}, IFD at offset {offset}"
        if offset in self.seen:
            raise Damaged(where, "IFDs form a loop")
        self.seen.add(offset)
        (count,) = unpack(self.e + "H", self.data, offset, where)
        result = []
        for index in range(count):
            tag, kind, n, inline = unpack(self.e + "HHI4s", self.data, offset + 2 + 12 * index,
                                          where)
            size = _TYPE_SIZES.get(kind, 1) * n
            if size <= 4:
                value = inline[:size]
            else:
                (at,) = unpack(self.e + "I", inline, 0, where)
                value = self.data[at:at + min(size, 4096)] if at + size <= len(self.data) \
                    else b""
            result.append((tag, kind, n, value))
        (next_offset,) = unpack(self.e + "I", self.data, offset + 2 + 12 * count, where)
        return result, next_offset

    def number(self, kind: int, value: bytes) -> int | None:
        fmt = {3: "H", 4: "I", 13: "I"}.get(kind)
        if fmt is None or len(value) < (2 if fmt == "H" else 4):
            return None
        return unpack(self.e + fmt, value, 0, self.where)[0]


def _describe(tag: int, kind: int, count: int, value: bytes) -> str:
    name = NAMED.get(tag, (None, f"tag {tag}"))[1]
    if tag == 34675 and value:
        return f"{name}: {icc_description(value)}"
    if kind == 2 and value:
        return f"{name} {preview(value)}"
    if tag in (40091, 40092, 40093, 40094, 40095) and value:
        return f"{name} {preview(value.decode('utf-16-le', 'replace').encode())}"
    if kind in (1, 6, 7):  # BYTE, SBYTE, UNDEFINED
        return f"{name}, {count} bytes"
    return f"{name}, {count} value{'s' if count != 1 else ''}"


def _scan_ifd(ifds: _Ifds, offset: int, where: str, findings: Findings,
              report_unknown: bool) -> int:
    entries, next_offset = ifds.entries(offset)
    for tag, kind, count, value in entries:
        if tag in STRUCTURAL:
            continue
        name_kind = NAMED.get(tag, (k.UNKNOWN, ""))[0]
        if name_kind == k.UNKNOWN and not report_unknown:
            continue
        pointer = ifds.number(kind, value) if tag in (_EXIF_IFD, _GPS_IFD) else None
        if pointer is None:
            findings.add(where, name_kind, _describe(tag, kind, count, value))
        else:
            label = "EXIF IFD" if tag == _EXIF_IFD else "GPS IFD"
            _scan_sub_ifd(ifds, pointer, f"{where}, {label} at offset {pointer}", findings,
                          tag == _GPS_IFD)
    return next_offset


def _scan_sub_ifd(ifds: _Ifds, offset: int, where: str, findings: Findings, gps: bool) -> None:
    kind = k.GPS if gps else k.EXIF
    if offset in ifds.seen:
        findings.add(where, kind, "shared with an earlier page")
        return
    if offset <= 0 or offset >= len(ifds.data):
        findings.add(where, kind, "points outside the file")
        return
    entries, _ = ifds.entries(offset)
    if gps:
        has_position = any(tag in (2, 4) for tag, *_ in entries)
        findings.add(where, k.GPS, f"{len(entries)} GPS tags"
                     + ("; includes latitude/longitude" if has_position else ""))
        return
    findings.add(where, k.EXIF, f"{len(entries)} EXIF tags")
    for tag, kind, count, value in entries:
        if tag in NAMED and tag not in (_EXIF_IFD, _GPS_IFD):
            findings.add(where, NAMED[tag][0], _describe(tag, kind, count, value))


def scan_tiff_file(data: bytes, findings: Findings) -> None:
    """Every page IFD of a TIFF file: report non-structural tags, unknown tags included."""
    ifds = _Ifds(data, "TIFF")
    offset, page = ifds.first, 1
    while offset and page <= _MAX_IFDS and not findings.full:
        offset = _scan_ifd(ifds, offset, f"TIFF page {page} (IFD at offset {offset})",
                           findings, report_unknown=True)
        page += 1
    if offset and page > _MAX_IFDS:
        findings.add(f"TIFF page {page}", k.UNKNOWN,
                     f"more than {_MAX_IFDS} pages: the rest were not inspected")


def scan_exif_block(block: bytes, where: str, findings: Findings) -> None:
    """The contents of an EXIF block: GPS, timestamps, devices, and the thumbnail IFD."""
    ifds = _Ifds(block, where)
    offset = ifds.first
    if not offset:
        return
    next_offset = _scan_ifd(ifds, offset, where, findings, report_unknown=False)
    depth = 1
    while next_offset and depth < _MAX_IFDS and not findings.full:
        entries, following = ifds.entries(next_offset)
        tags = {tag: (kind, value) for tag, kind, _, value in entries}
        length = ifds.number(*tags[_THUMB_LENGTH]) if _THUMB_LENGTH in tags else None
        detail = (f"JPEG thumbnail, {length} bytes" if length is not None
                  else "thumbnail image (uncompressed)")
        findings.add(f"{where}, IFD{depth} at offset {next_offset}", k.THUMBNAIL, detail)
        next_offset, depth = following, depth + 1
