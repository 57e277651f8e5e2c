"""Builders for PDF letters and DICOM images that hide unique marker values everywhere.

PDFs are written by hand (objects, xref table, trailer) so every byte is known: several
pages of text in a base-14 font, a "scanned" page that is one embedded JPEG, document
information with marker values. DICOM files are built with pydicom with a patient, an
institution, a referring physician, private tags and nested sequences, all carrying markers.
A clean export contains none of RECORD_MARKERS.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

RECORD_MARKERS = {
    "pdf_author": "MSREC-PDF-AUTHOR-61820",
    "pdf_title": "MSREC-PDF-TITLE-44107",
    "pdf_subject": "MSREC-PDF-SUBJECT-90335",
    "pdf_jpeg_comment": "MSREC-PDF-JPEGCOMMENT-27714",
    "patient_name": "MSRECPATIENT^NAME73921",
    "patient_id": "MSREC-PID-58213",
    "birth_date": "19230917",
    "institution": "MSREC INSTITUTION 66402",
    "referring": "MSRECREFERRING^DOC41733",
    "private": "MSREC-PRIVATE-TAG-30618",
    "nested": "MSREC-NESTED-SEQ-85541",
    "deep_nested": "MSREC-DEEP-NESTED-12907",
    "study_uid": "1.2.826.0.1.3680043.99.77123",
    "overlay_label": "MSREC-OVERLAY-LABEL-52290",
    "overlay_description": "MSREC-OVERLAY-DESCRIPTION-19466",
}
PAGE_TEXT = "MSREC-PAGE-{n}-TEXT"


def _pdf(objects: list[bytes]) -> bytes:
    """Objects 1..N (object 1 is the catalog, the last one the info dictionary)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, len(objects), xref))
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def scanned_jpeg(width: int = 400, height: int = 520) -> bytes:
    image = Image.new("RGB", (width, height), (245, 242, 235))
    for y in range(40, height - 40, 24):  # lines of "handwriting"
        image.paste((40, 40, 60), (40, y, width - 60 - (y % 90), y + 6))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, comment=RECORD_MARKERS["pdf_jpeg_comment"].encode())
    return out.getvalue()


def pdf_letter(pages: int = 3, *, scanned_page: int | None = 1,
               size: tuple[int, int] = (595, 842)) -> bytes:
    """A letter of ``pages`` A4 pages; page ``scanned_page`` (0-based) is one JPEG."""
    page_ids = [3 + 2 * n for n in range(pages)]
    font_id, image_id = 3 + 2 * pages, 4 + 2 * pages
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>",
                            b"<< /Type /Pages /Kids [%s] /Count %d >>"
                            % (b" ".join(b"%d 0 R" % i for i in page_ids), pages)]
    for n in range(pages):
        if n == scanned_page:
            content = b"q %d 0 0 %d 0 0 cm /Scan Do Q" % size
        else:
            content = (b"BT /F1 28 Tf 72 720 Td (%s) Tj 0 -40 Td (Dear colleague,) Tj ET\n"
                       b"0 0 0 rg 72 600 200 8 re f" % PAGE_TEXT.format(n=n + 1).encode())
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Scan %d 0 R >> >> >>"
                       % (size[0], size[1], page_ids[n] + 1, font_id, image_id))
        objects.append(_stream(content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    jpeg = scanned_jpeg()
    objects.append(_stream(jpeg, b"/Type /XObject /Subtype /Image /Width 400 /Height 520 "
                                 b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "))
    objects.append(b"<< /Author (%s) /Title (%s) /Subject (%s) >>"
                   % tuple(RECORD_MARKERS[k].encode() for k in ("pdf_author", "pdf_title",
                                                                 "pdf_subject")))
    return _pdf(objects)


def pdf_form(value: str) -> bytes:
    """One page whose only text is a filled-in form field (no appearance stream: the
    viewer draws it, as /NeedAppearances asks). Field rectangle: 72,400-500,440 points."""
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /NeedAppearances true "
        b"/DA (/Helv 14 Tf 0 g) /DR << /Font << /Helv 6 0 R >> >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Annots [5 0 R] >>",
        _stream(b""),
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (patient) /V (%s) /F 4 "
        b"/Rect [72 400 500 440] /DA (/Helv 20 Tf 0 g) /P 3 0 R >>" % value.encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) >>" % RECORD_MARKERS["pdf_title"].encode()])


def pdf_nested_forms(depth: int) -> bytes:
    """One page that is pathologically slow to draw: a form XObject that draws the next
    one twice, ``depth`` deep (2**depth squares from a file of a few kilobytes). Depth 16
    takes a couple of seconds in PDFium; each level doubles it."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /XObject << /F 5 0 R >> >> >>",
               _stream(b"/F Do")]
    for level in range(depth):
        if level == depth - 1:
            body, resources = b"0 0 1 rg 0 0 100 100 re f", b""
        else:
            body = b"/G Do 1 0 0 1 0.5 0.5 cm /G Do"
            resources = b"/Resources << /XObject << /G %d 0 R >> >> " % (6 + level)
        objects.append(_stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                     + resources))
    objects.append(b"<< /Title (%s) >>" % RECORD_MARKERS["pdf_title"].encode())
    return _pdf(objects)


def encrypted_pdf(path: Path, password: str, pages: int = 2) -> Path:
    """AES-256 with qpdf (Debian package qpdf): the real encryption a hospital PDF has."""
    plain = path.with_suffix(".plain.pdf")
    plain.write_bytes(pdf_letter(pages))
    subprocess.run([shutil.which("qpdf") or "qpdf", "--encrypt", password, password + "-owner",
                    "256", "--", str(plain), str(path)], check=True, capture_output=True)
    plain.unlink()
    return path


def dicom_dataset(pixels: np.ndarray, *, photometric: str = "MONOCHROME2",
                  modality: str = "CR", frames: int = 1, **attributes):
    """A Part 10 dataset around ``pixels`` (rows x cols, frames x rows x cols, or RGB)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = RECORD_MARKERS["study_uid"]
    ds.PatientName = RECORD_MARKERS["patient_name"]
    ds.PatientID = RECORD_MARKERS["patient_id"]
    ds.PatientBirthDate = RECORD_MARKERS["birth_date"]
    ds.InstitutionName = RECORD_MARKERS["institution"]
    ds.ReferringPhysicianName = RECORD_MARKERS["referring"]
    ds.Modality = modality
    inner = Dataset()
    inner.CodeMeaning = RECORD_MARKERS["deep_nested"]
    item = Dataset()
    item.ProcedureCodeSequence = Sequence([inner])
    item.RequestedProcedureDescription = RECORD_MARKERS["nested"]
    ds.RequestAttributesSequence = Sequence([item])
    block = ds.private_block(0x0029, "MSREC PRIVATE", create=True)
    block.add_new(0x10, "LO", RECORD_MARKERS["private"])
    colour = pixels.ndim == 3 + (frames > 1) and photometric not in ("MONOCHROME1",
                                                                     "MONOCHROME2")
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = photometric
    if colour:
        ds.PlanarConfiguration = 0
    shape = pixels.shape[1:] if frames > 1 else pixels.shape
    ds.Rows, ds.Columns = shape[0], shape[1]
    if frames > 1:
        ds.NumberOfFrames = frames
    bits = pixels.dtype.itemsize * 8
    ds.BitsAllocated = bits
    ds.BitsStored = attributes.pop("BitsStored", bits)
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    for key, value in attributes.items():
        setattr(ds, key, value)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    return ds


def add_overlay(ds, bits: np.ndarray, *, origin: tuple[int, int] = (1, 1), group: int = 0x6000,
                first_frame: int | None = None, data: bytes | None = None):
    """An overlay plane of ``bits`` (rows x cols, or frames x rows x cols of 0/1) at
    ``origin`` (row, column; 1-based as DICOM counts), with marker label and description.
    ``first_frame`` (1-based) adds the Multi-frame Overlay module; ``data`` replaces the
    packed bits (to build a damaged plane)."""
    from pydicom.pixels import pack_bits

    frames = bits.shape[0] if bits.ndim == 3 else 1
    ds.add_new((group, 0x0010), "US", bits.shape[-2])
    ds.add_new((group, 0x0011), "US", bits.shape[-1])
    ds.add_new((group, 0x0022), "LO", RECORD_MARKERS["overlay_description"])
    ds.add_new((group, 0x0040), "CS", "G")
    ds.add_new((group, 0x0050), "SS", list(origin))
    ds.add_new((group, 0x0100), "US", 1)
    ds.add_new((group, 0x0102), "US", 0)
    ds.add_new((group, 0x1500), "LO", RECORD_MARKERS["overlay_label"])
    if first_frame is not None:
        ds.add_new((group, 0x0015), "IS", frames)
        ds.add_new((group, 0x0051), "US", first_frame)
    packed = pack_bits(np.ascontiguousarray(bits, np.uint8).ravel()) if data is None else data
    ds.add_new((group, 0x3000), "OW", packed + b"\0" * (len(packed) % 2))
    return ds


def dicom_bytes(ds, *, preamble: bool = True) -> bytes:
    out = io.BytesIO()
    if preamble:
        ds.save_as(out, enforce_file_format=True)
    else:  # a bare dataset: no preamble, no 'DICM', no file meta
        from pydicom.filewriter import dcmwrite
        ds = ds.copy()
        del ds.file_meta
        dcmwrite(out, ds, implicit_vr=True, little_endian=True)
    return out.getvalue()


def ramp(rows: int, columns: int, low: int, high: int, dtype=np.uint16) -> np.ndarray:
    """Values rising left to right from ``low`` to ``high`` (exact at both ends)."""
    line = np.linspace(low, high, columns).round().astype(dtype)
    return np.tile(line, (rows, 1))
