"""Recognise PDF and DICOM content from its first bytes, without importing their decoders
(pypdfium2, pydicom and numpy load only when such a file is actually opened)."""

from __future__ import annotations


def looks_like_pdf(head: bytes) -> bool:
    """'%PDF-' near the start (some producers put a few bytes before it)."""
    return b"%PDF-" in head[:16]


def looks_like_dicom(head: bytes) -> bool:
    """A DICOM Part 10 file: 'DICM' after the 128-byte preamble."""
    return head[128:132] == b"DICM"


def may_be_bare_dataset(head: bytes) -> bool:
    """A dataset without preamble starts with a little-endian group 0002 or 0008 element."""
    return len(head) >= 8 and head[:2] in (b"\x02\x00", b"\x08\x00") and head[3] == 0
