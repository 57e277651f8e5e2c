"""Run inside a real X server by test_layout_xvfb.py (not a test itself).

The tester's case at the default size on a 1280x800 screen: a radiograph with burned-in
text (caution and Window bars), the crop tool chosen and left, and a colleague chosen; prints
the window's and the canvas's geometry at each step, and where the tool strip's last tool
ends, as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication

from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main() -> None:
    from medsnap.ui.icons import style_sheet
    from medsnap.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setStyleSheet(style_sheet())
    work = Path(tempfile.mkdtemp(prefix="medsnap-layout-"))
    ds = dicom_dataset(ramp(1024, 800, 0, 4000), modality="CR", BitsStored=12,
                       WindowCenter=2000, WindowWidth=4000, BurnedInAnnotation="YES")
    (work / "burned.dcm").write_bytes(dicom_bytes(ds))
    window = MainWindow(QSettings(str(work / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1088, 680)
    window.show()
    window.open_path(str(work / "burned.dcm"))
    while window.document is None:
        app.processEvents()
    settle(app)
    canvas = window.canvas

    def geometry() -> list:
        top_left = canvas.mapTo(window, QPoint(0, 0))
        return [window.width(), top_left.x(), top_left.y(), canvas.width(), canvas.height(),
                round(canvas.view.scale, 4)]

    result = {"opened": geometry()}
    window.choose_tool("crop")
    settle(app)
    result["crop"] = geometry()
    window.choose_tool("select")
    settle(app)
    result["select"] = geometry()
    strip = window.tool_strip
    last = strip.widgetForAction(list(strip.actions_by_id.values())[-1])
    result["last_tool_bottom"] = last.mapTo(strip, QPoint(0, last.height())).y()
    result["strip_height"] = strip.height()
    print("RESULT " + json.dumps(result))
    window.close()


if __name__ == "__main__":
    main()
