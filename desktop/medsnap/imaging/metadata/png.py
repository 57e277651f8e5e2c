"""PNG: walk the chunks, check every CRC, report everything beyond the pixel chunks."""

from __future__ import annotations

import zlib

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.items import Damaged, Findings, preview, trailing, unpack
from medsnap.imaging.metadata.png_pixels import IdatCheck, expected_size
from medsnap.imaging.metadata.png_streamed import StreamedIdat
from medsnap.imaging.metadata.tiff import scan_exif_block

SIGNATURE = b"\x89PNG\r\n\x1a\n"
PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
_KINDS = {
    b"tEXt": k.TEXT, b"zTXt": k.TEXT, b"iTXt": k.TEXT, b"eXIf": k.EXIF, b"tIME": k.TIMESTAMP,
    b"iCCP": k.ICC, b"sRGB": k.COLOUR, b"gAMA": k.COLOUR, b"cHRM": k.COLOUR, b"cICP": k.COLOUR,
    b"mDCV": k.COLOUR, b"cLLI": k.COLOUR, b"sBIT": k.COLOUR, b"pHYs": k.RESOLUTION,
    b"bKGD": k.COLOUR, b"hIST": k.APPLICATION, b"sPLT": k.APPLICATION,
    b"acTL": k.ANIMATION, b"fcTL": k.ANIMATION, b"fdAT": k.ANIMATION,
}


def _describe(kind: bytes, body: bytes) -> tuple[str, str]:
    label = _KINDS.get(kind, k.UNKNOWN)
    if kind in (b"tEXt", b"zTXt", b"iTXt"):
        keyword = body.split(b"\x00", 1)[0][:79].decode("latin-1")
        if kind == b"iTXt" and keyword == "XML:com.adobe.xmp":
            return k.XMP, f"XMP packet in iTXt, {len(body)} bytes"
        if kind == b"tEXt":
            value = body[len(keyword) + 1:]
            return label, f'keyword "{keyword}" = {preview(value)}'
        return label, f'keyword "{keyword}", {len(body)} bytes ({kind.decode()} compressed/intl)'
    if kind == b"iCCP":
        name = body.split(b"\x00", 1)[0][:79].decode("latin-1")
        return label, f'embedded ICC profile named "{name}", {len(body)} bytes compressed'
    if kind == b"eXIf":
        return label, f"EXIF block, {len(body)} bytes"
    if kind == b"tIME" and len(body) == 7:
        year, month, day, hour, minute, second = (int.from_bytes(body[:2], "big"), *body[2:])
        return label, f"last modified {year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
    if label == k.UNKNOWN:
        name = kind.decode("latin-1")
        return label, f"unrecognised chunk {name!r}, {len(body)} bytes"
    return label, f"{kind.decode()} chunk, {len(body)} bytes"


def scan_png(data: bytes, findings: Findings, streamed: StreamedIdat | None = None) -> None:
    """``streamed``: the image data was inflated while png_writer wrote it (png_streamed);
    the IDAT bodies are then compared with what it checked instead of inflated again."""
    view = memoryview(data)  # chunk bodies without copying them (IDAT is most of the file)
    offset = len(SIGNATURE)
    first = True
    pixels: IdatCheck | None = None
    colour = 0
    header = view[:0]
    idat_bodies: list[memoryview] = []
    while not findings.full:
        where = f"PNG chunk at offset {offset}"
        if offset == len(data):
            raise Damaged(where, "the file ends without an IEND chunk (truncated)")
        length, kind = unpack(">I4s", data, offset, where)
        if length > 0x7FFFFFFF or offset + 12 + length > len(data):
            raise Damaged(where, f"chunk length {length} runs past the end of the file")
        if not kind.isalpha():
            raise Damaged(where, "chunk name is not four letters")
        body = view[offset + 8:offset + 8 + length]
        (crc,) = unpack(">I", data, offset + 8 + length, where)
        name = kind.decode("ascii")
        where = f"PNG chunk {name} at offset {offset}"
        if zlib.crc32(body, zlib.crc32(kind)) != crc:
            raise Damaged(where, "CRC mismatch: the chunk was altered or damaged")
        if first != (kind == b"IHDR"):
            raise Damaged(where, "IHDR is not the first chunk, or appears twice")
        if first:
            expected, colour = expected_size(body, where)
            pixels, header = IdatCheck(expected), body
        first = False
        offset += 12 + length
        if kind == b"IDAT" and streamed is not None:
            idat_bodies.append(body)
        elif kind == b"IDAT" and pixels is not None:
            pixels.feed(body, where)
        if kind == b"PLTE" and colour != 3:
            findings.add(where, k.APPLICATION, f"suggested palette in a non-palette image, "
                         f"{length} bytes (can carry arbitrary data)")
            continue
        if kind in PIXEL_CHUNKS:
            if kind == b"IEND" and pixels is not None:
                if streamed is not None:
                    streamed.result(header, idat_bodies, findings)
                else:
                    pixels.finish(findings, "PNG image data (IDAT)")
                trailing(findings, data, offset, "PNG IEND")
                return
            continue
        body = bytes(body)  # a chunk to describe: small, and read as bytes below
        label, detail = _describe(kind, body)
        findings.add(where, label, detail)
        if kind == b"eXIf":
            try:
                scan_exif_block(body, where, findings)
            except Damaged as damage:
                findings.add(damage.location, k.DAMAGED, damage.reason)
