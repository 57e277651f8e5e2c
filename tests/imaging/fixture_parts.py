"""Byte-level pieces for metadata fixtures: EXIF/TIFF blocks, ICC, XMP, IPTC, segments.

Written by hand (not with Pillow) so the fixtures put metadata exactly where real cameras,
editors and phones put it, and so ExifTool reading them back checks the builders too.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 2, 3, 4, 5, 7


def ascii_value(text: str) -> tuple[int, int, bytes]:
    raw = text.encode("ascii") + b"\x00"
    return ASCII, len(raw), raw


def short_value(number: int) -> tuple[int, int, bytes]:
    return SHORT, 1, struct.pack("<H", number)


def rationals(*pairs: tuple[int, int]) -> tuple[int, int, bytes]:
    return RATIONAL, len(pairs), b"".join(struct.pack("<II", a, b) for a, b in pairs)


def _ifd_size(entries: dict[int, tuple[int, int, bytes]]) -> int:
    extra = sum(len(v) + (len(v) & 1) for _, _, v in entries.values() if len(v) > 4)
    return 2 + 12 * len(entries) + 4 + extra


def _ifd_bytes(entries: dict[int, tuple[int, int, bytes]], at: int, next_ifd: int) -> bytes:
    table, data = [], b""
    data_at = at + 2 + 12 * len(entries) + 4
    for tag in sorted(entries):
        kind, count, value = entries[tag]
        if len(value) <= 4:
            table.append(struct.pack("<HHI4s", tag, kind, count, value.ljust(4, b"\x00")))
        else:
            table.append(struct.pack("<HHII", tag, kind, count, data_at + len(data)))
            data += value + b"\x00" * (len(value) & 1)
    return struct.pack("<H", len(entries)) + b"".join(table) + struct.pack("<I", next_ifd) + data


def exif_tiff(ifd0: dict, exif: dict | None = None, gps: dict | None = None,
              thumbnail: bytes | None = None) -> bytes:
    """A little-endian TIFF structure as found in EXIF: IFD0 (+EXIF, GPS IFDs) and IFD1."""
    ifd0 = dict(ifd0)
    sub_ifds = [(34665, exif), (34853, gps)]
    for tag, sub in sub_ifds:
        if sub:
            ifd0[tag] = (LONG, 1, b"\x00" * 4)  # placeholder, same size as the real pointer
    ifd1 = {259: short_value(6), 513: (LONG, 1, b"\x00" * 4), 514: (LONG, 1, b"\x00" * 4)}
    offset = 8 + _ifd_size(ifd0)
    places = {}
    for tag, sub in sub_ifds:
        if sub:
            places[tag] = offset
            offset += _ifd_size(sub)
    ifd1_at = offset if thumbnail else 0
    thumb_at = ifd1_at + _ifd_size(ifd1) if thumbnail else 0
    for tag, at in places.items():
        ifd0[tag] = (LONG, 1, struct.pack("<I", at))
    out = b"II*\x00" + struct.pack("<I", 8) + _ifd_bytes(ifd0, 8, ifd1_at)
    for tag, sub in sub_ifds:
        if sub:
            out += _ifd_bytes(sub, places[tag], 0)
    if thumbnail:
        ifd1[513] = (LONG, 1, struct.pack("<I", thumb_at))
        ifd1[514] = (LONG, 1, struct.pack("<I", len(thumbnail)))
        out += _ifd_bytes(ifd1, ifd1_at, 0) + thumbnail
    return out


def icc_profile(description: str) -> bytes:
    """A working sRGB profile (LittleCMS) whose description text is ``description``."""
    base = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    text = description.encode("utf-16-be")
    mluc = b"mluc\x00\x00\x00\x00" + struct.pack(">II2s2sII", 1, 12, b"en", b"US",
                                                 len(text), 28) + text
    while len(base) % 4:
        base.append(0)
    offset = len(base)
    base += mluc
    count = struct.unpack_from(">I", base, 128)[0]
    for index in range(count):
        entry = 132 + 12 * index
        if base[entry:entry + 4] == b"desc":
            struct.pack_into(">II", base, entry + 4, offset, len(mluc))
    struct.pack_into(">I", base, 0, len(base))
    base[84:100] = b"\x00" * 16  # profile id (MD5) no longer matches: declare none
    return bytes(base)


def xmp_packet(description: str, history_agent: str) -> bytes:
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt></dc:description>
<xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action>
<stEvt:softwareAgent>{history_agent}</stEvt:softwareAgent>
<stEvt:when>2024-05-01T10:00:00Z</stEvt:when></rdf:li></rdf:Seq></xmpMM:History>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>""".encode("utf-8")


def iptc_record(caption: str) -> bytes:
    """IPTC-IIM: record version 4, then 2:120 (caption/abstract)."""
    text = caption.encode("ascii")
    return (b"\x1c\x02\x00" + struct.pack(">H", 2) + b"\x00\x04"
            + b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text)


def photoshop_iptc(caption: str) -> bytes:
    """APP13 body: Photoshop 3.0 + one 8BIM resource 0x0404 holding IPTC 2:120 (caption)."""
    record = iptc_record(caption)
    record += b"\x00" * (len(record) & 1)
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(record))
    return b"Photoshop 3.0\x00" + resource + record


def jpeg_segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def insert_after_soi(jpeg: bytes, segments: bytes) -> bytes:
    """Insert segments after SOI and the JFIF APP0 header, where editors put theirs."""
    at = 2
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + struct.unpack_from(">H", jpeg, 4)[0]
    return jpeg[:at] + segments + jpeg[at:]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def insert_after_ihdr(png: bytes, chunks: bytes) -> bytes:
    at = 8 + 8 + 13 + 4
    return png[:at] + chunks + png[at:]


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
