"""GIF: report comment, plain-text and application extensions, and bytes after the trailer."""

from __future__ import annotations

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.items import Damaged, Findings, preview, trailing, unpack

_STRUCTURAL_APPS = {b"NETSCAPE2.0", b"ANIMEXTS1.0"}  # loop count only


def _sub_blocks(data: bytes, offset: int, where: str) -> tuple[bytes, int]:
    """Concatenated data sub-blocks starting at offset, and the offset after the terminator."""
    parts = []
    while True:
        (size,) = unpack("B", data, offset, where)
        offset += 1
        if size == 0:
            return b"".join(parts), offset
        if offset + size > len(data):
            raise Damaged(where, "the file ends inside a data block (truncated)")
        parts.append(data[offset:offset + size])
        offset += size


def _colour_table_size(flags: int) -> int:
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def scan_gif(data: bytes, findings: Findings) -> None:
    (flags,) = unpack("B", data, 10, "GIF header")
    offset = 13 + _colour_table_size(flags)
    while not findings.full:
        where = f"GIF block at offset {offset}"
        (introducer,) = unpack("B", data, offset, where)
        if introducer == 0x3B:
            trailing(findings, data, offset + 1, "GIF trailer")
            return
        if introducer == 0x2C:  # image descriptor, colour table, LZW data
            (image_flags,) = unpack("B", data, offset + 9, where)
            offset += 10 + _colour_table_size(image_flags) + 1
            _, offset = _sub_blocks(data, offset, where)
            continue
        if introducer != 0x21:
            raise Damaged(where, f"unexpected block type {introducer:#04x}")
        (label,) = unpack("B", data, offset + 1, where)
        body, after = _sub_blocks(data, offset + 2, where)
        if label == 0xFE:
            findings.add(f"GIF comment extension at offset {offset}", k.COMMENT,
                         f"comment {preview(body)}")
        elif label == 0x01:
            findings.add(f"GIF plain-text extension at offset {offset}", k.TEXT,
                         f"{len(body)} bytes of text to draw")
        elif label == 0xFF:
            ident = body[:11]
            if ident not in _STRUCTURAL_APPS:
                kind = {b"XMP DataXMP": k.XMP, b"ICCRGBG1012": k.ICC}.get(ident, k.APPLICATION)
                findings.add(f"GIF application extension at offset {offset}", kind,
                             f"{ident.decode('latin-1')!r}, {len(body)} bytes")
        elif label != 0xF9:  # F9 = graphic control (delay, transparency): structure
            findings.add(f"GIF extension {label:#04x} at offset {offset}", k.UNKNOWN,
                         f"{len(body)} bytes")
        offset = after
    return
