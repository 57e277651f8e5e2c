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


def test_recent_files_left_in_plain_text_by_an_earlier_version_are_removed(make_window,
                                                                            settings_path):
    from PySide6.QtCore import QSettings

    from medsnap.ui import settings as prefs

    stored = QSettings(settings_path, QSettings.Format.IniFormat)
    prefs.RECENT_FILES.write(stored, ["/pacs/SMITH^JANE/IM0001"])
    stored.sync()
    window = make_window()
    assert window.recent_paths == [] and not window.actions.recent_menu.isEnabled()
    window.settings.sync()
    assert "SMITH" not in open(settings_path).read()
