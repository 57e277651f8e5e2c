"""Fixture builders for images that carry metadata in every place a file can hide it.

Import from any test: ``from tests.imaging.fixtures import jpeg_with_everything, MARKERS``.
Each builder returns the file's bytes and, given a path, also writes them there. Every
hidden item embeds a unique marker string from MARKERS; a clean export contains none of them.
"""

from __future__ import annotations

import os
import struct
import zlib

from PIL import Image, ImageDraw, TiffImagePlugin

from tests.imaging import fixture_parts as parts

MARKERS = {
    "exif_description": "MEDSNAP-SECRET-EXIF-DESC-1402",
    "exif_artist": "MEDSNAP-SECRET-ARTIST-5520",
    "exif_camera": "MEDSNAP-SECRET-CAMERA-3318",
    "exif_user_comment": "MEDSNAP-SECRET-USERCOMMENT-6021",
    "gps": "MEDSNAP-SECRET-GPS-7731",
    "thumbnail": "MEDSNAP-SECRET-THUMB-8812",
    "xmp": "MEDSNAP-SECRET-XMP-DESC-4471",
    "xmp_history": "MEDSNAP-SECRET-XMP-HISTORY-3390",
    "icc": "MEDSNAP-SECRET-ICC-2795",
    "iptc": "MEDSNAP-SECRET-IPTC-6604",
    "comment": "MEDSNAP-SECRET-COMMENT-2208",
    "trailer": "MEDSNAP-SECRET-TRAILER-9904",
    "png_text": "MEDSNAP-SECRET-PNG-TEXT-1177",
    "png_ztxt": "MEDSNAP-SECRET-PNG-ZTXT-5813",
    "tiff_software": "MEDSNAP-SECRET-SOFTWARE-4040",
    "gif_comment": "MEDSNAP-SECRET-GIF-COMMENT-3131",
}

# Quadrant colours of sample_picture: (top-left, top-right, bottom-left, bottom-right).
QUADRANTS = ((220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 220, 40))


def sample_picture(width: int = 96, height: int = 64) -> Image.Image:
    """An asymmetric picture: four coloured quadrants, so any flip or turn is visible."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    half_w, half_h = width // 2, height // 2
    boxes = ((0, 0, half_w, half_h), (half_w, 0, width, half_h),
             (0, half_h, half_w, height), (half_w, half_h, width, height))
    for box, colour in zip(boxes, QUADRANTS):
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=colour)
    return image


def _write(data: bytes, path: str | os.PathLike[str] | None) -> bytes:
    if path is not None:
        with open(path, "wb") as handle:
            handle.write(data)
    return data


def _thumbnail_of_original() -> bytes:
    """A JPEG thumbnail of the UNCROPPED original, as phones and editors leave behind."""
    original = sample_picture(160, 120)
    ImageDraw.Draw(original).ellipse((60, 40, 100, 80), fill=(255, 255, 255))
    thumb = parts.encode(original.resize((80, 60)), "JPEG", quality=80)
    comment = parts.jpeg_segment(0xFE, MARKERS["thumbnail"].encode())
    return thumb[:2] + comment + thumb[2:]


def exif_block(orientation: int | None = None, *, thumbnail: bool = True) -> bytes:
    """TIFF-structured EXIF (no "Exif\\0\\0" prefix): camera, person, GPS, dates, thumbnail."""
    ifd0 = {
        270: parts.ascii_value(MARKERS["exif_description"]),
        271: parts.ascii_value("MedSnapTestCam"),
        272: parts.ascii_value(MARKERS["exif_camera"]),
        305: parts.ascii_value("FixtureBuilder 1.0"),
        306: parts.ascii_value("2024:05:01 10:00:00"),
        315: parts.ascii_value(MARKERS["exif_artist"]),
    }
    if orientation is not None:
        ifd0[274] = parts.short_value(orientation)
    exif = {
        36867: parts.ascii_value("2024:05:01 09:59:58"),
        37510: (parts.UNDEFINED, 8 + len(MARKERS["exif_user_comment"]),
                b"ASCII\x00\x00\x00" + MARKERS["exif_user_comment"].encode()),
    }
    gps = {
        0: (1, 4, b"\x02\x03\x00\x00"),
        1: parts.ascii_value("N"),
        2: parts.rationals((51, 1), (30, 1), (1234, 100)),
        3: parts.ascii_value("W"),
        4: parts.rationals((0, 1), (7, 1), (3900, 100)),
        18: parts.ascii_value(MARKERS["gps"]),
    }
    return parts.exif_tiff(ifd0, exif, gps, _thumbnail_of_original() if thumbnail else None)


def icc_profile() -> bytes:
    return parts.icc_profile(MARKERS["icc"])


def xmp_packet() -> bytes:
    return parts.xmp_packet(MARKERS["xmp"], MARKERS["xmp_history"])


def jpeg_with_everything(path: str | os.PathLike[str] | None = None) -> bytes:
    """JPEG with EXIF (GPS, thumbnail of the uncropped original), XMP with history, ICC,
    IPTC (APP13), a COM comment, and another JPEG plus text after EOI."""
    plain = parts.encode(sample_picture(), "JPEG", quality=90)
    icc = icc_profile()
    segments = (
        parts.jpeg_segment(0xE1, b"Exif\x00\x00" + exif_block())
        + parts.jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet())
        + parts.jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + icc)
        + parts.jpeg_segment(0xED, parts.photoshop_iptc(MARKERS["iptc"]))
        + parts.jpeg_segment(0xFE, MARKERS["comment"].encode())
    )
    trailer = parts.encode(sample_picture(160, 120), "JPEG") + MARKERS["trailer"].encode()
    return _write(parts.insert_after_soi(plain, segments) + trailer, path)


def jpeg_with_orientation(orientation: int, path: str | os.PathLike[str] | None = None) -> bytes:
    """sample_picture stored so that applying EXIF ``orientation`` shows it upright."""
    upright = sample_picture()
    inverse = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_270}[orientation]
    stored = upright.transpose(inverse) if inverse is not None else upright
    plain = parts.encode(stored, "JPEG", quality=95)
    exif = parts.jpeg_segment(0xE1, b"Exif\x00\x00" + parts.exif_tiff(
        {274: parts.short_value(orientation)}))
    return _write(parts.insert_after_soi(plain, exif), path)


def png_with_everything(path: str | os.PathLike[str] | None = None) -> bytes:
    """PNG with tEXt, zTXt, iTXt (XMP), eXIf, tIME, iCCP chunks and, after IEND, the IDAT
    stream of the uncropped original (an aCropalypse-style leftover) plus text."""
    plain = parts.encode(sample_picture(), "PNG")
    chunks = (
        parts.png_chunk(b"tEXt", b"Comment\x00" + MARKERS["png_text"].encode())
        + parts.png_chunk(b"zTXt", b"Description\x00\x00"
                          + zlib.compress(MARKERS["png_ztxt"].encode()))
        + parts.png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp_packet())
        + parts.png_chunk(b"eXIf", exif_block())
        + parts.png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 1, 10, 0, 0))
        + parts.png_chunk(b"iCCP", b"MedSnap fixture\x00\x00" + zlib.compress(icc_profile()))
    )
    uncropped = parts.encode(sample_picture(160, 120), "PNG")
    leftover = uncropped[33:] + MARKERS["trailer"].encode()  # IDAT..IEND of the original
    return _write(parts.insert_after_ihdr(plain, chunks) + leftover, path)


def webp_with_everything(path: str | os.PathLike[str] | None = None) -> bytes:
    """WebP with EXIF (GPS, thumbnail), XMP and ICCP chunks."""
    data = parts.encode(sample_picture(), "WEBP", quality=90, exif=exif_block(),
                        xmp=xmp_packet(), icc_profile=icc_profile())
    return _write(data, path)


def tiff_with_everything(path: str | os.PathLike[str] | None = None, *, pages: int = 2) -> bytes:
    """Multi-page TIFF; page 1 carries descriptive tags, XMP (700) and ICC (34675).
    Page N (0-based) is sample_picture with N white stripes across the top."""
    images = []
    for page in range(pages):
        image = sample_picture()
        for stripe in range(page):
            ImageDraw.Draw(image).rectangle((0, 4 * stripe, 95, 4 * stripe + 1), fill="white")
        images.append(image)
    info = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, text in ((270, MARKERS["exif_description"]), (271, "MedSnapTestCam"),
                      (272, MARKERS["exif_camera"]), (305, MARKERS["tiff_software"]),
                      (306, "2024:05:01 10:00:00"), (315, MARKERS["exif_artist"])):
        info[tag] = text
    info[700], info.tagtype[700] = xmp_packet(), 1  # XMP packet (BYTE)
    info[33723], info.tagtype[33723] = parts.iptc_record(MARKERS["iptc"]), 7  # IPTC-NAA
    info[34853] = {1: "N", 2: (51.0, 30.0, 12.34), 18: MARKERS["gps"]}  # GPS IFD
    data = parts.encode(images[0], "TIFF", save_all=True, append_images=images[1:],
                        tiffinfo=info, icc_profile=icc_profile())
    return _write(data, path)


def gif_with_comment(path: str | os.PathLike[str] | None = None) -> bytes:
    """Animated GIF (first frame sample_picture, second all black) with a comment."""
    frames = [sample_picture().convert("P"), Image.new("RGB", (96, 64)).convert("P")]
    data = parts.encode(frames[0], "GIF", save_all=True, append_images=frames[1:],
                        duration=100, loop=0, comment=MARKERS["gif_comment"].encode())
    return _write(data, path)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression-bomb shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + parts.png_chunk(b"IHDR", header)
            + parts.png_chunk(b"IDAT", idat) + parts.png_chunk(b"IEND", b""))
