"""A process that drew a PDF page and ends abruptly (``medsnap send`` ends with os._exit once
its work is flushed) leaves the PDFium child to notice the closed pipe and end by itself: it
must end quietly. Before, its shared segment was closed by the interpreter's exit while a
ctypes view still exported it, and the clinician's terminal showed "Exception ignored in
SharedMemory.__del__ ... BufferError" after a successful send (3 runs in 4)."""

from __future__ import annotations

import subprocess
import sys

from tests.imaging.record_fixtures import pdf_letter

SCRIPT = """
import os, sys
from medsnap.imaging import load_picture
picture = load_picture(sys.argv[1], page=0, dpi=72)
print(picture.image.size, flush=True)
os._exit(0)
"""


def test_the_pdfium_child_ends_quietly_when_its_parent_is_gone(tmp_path):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(pdf_letter(2))
    for _ in range(4):  # the old failure was a race
        # communicate() returns once every holder of the pipes is gone: the child too
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(letter)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.startswith("(")
        assert done.stderr == "", done.stderr
