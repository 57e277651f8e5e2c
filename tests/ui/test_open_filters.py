"""File › Open shows what a ward opens, PACS files with no extension included."""

from __future__ import annotations


def test_the_open_dialogs_default_filter_shows_dicom_files_with_no_extension():
    """PACS exports are often extension-less DICOM files (IM0001): the first filter hid them."""
    import re

    from PySide6.QtCore import QDir

    from medsnap.ui.image_sources import OPEN_FILTERS

    default = OPEN_FILTERS.split(";;")[0]
    patterns = re.search(r"\(([^)]*)\)", default).group(1).split()
    for name in ("IM0001", "chest.png", "letter.pdf", "scan.dcm"):
        assert QDir.match(patterns, name), name
