"""Re-make the README screenshots: run under a real X server, e.g.

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/make_screenshots.py OUT_DIR

It draws a fake electronic-record page and a photo-like picture with Pillow, opens them in
the real editor, uses the tools with real mouse and key events, and grabs the screen.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def record_page(path: Path) -> None:
    """A screenshot-like page of an electronic patient record (all names invented)."""
    img = Image.new("RGB", (1600, 1000), "#f3f5f8")
    d = ImageDraw.Draw(img)
    font = lambda size: ImageFont.truetype(FONT, size)  # noqa: E731
    bold = lambda size: ImageFont.truetype(BOLD, size)  # noqa: E731
    d.rectangle((0, 0, 1600, 56), fill="#24506e")
    d.text((20, 14), "WardView EPR  ·  Ward 7B  ·  Bed 12", font=bold(22), fill="white")
    d.rectangle((0, 56, 1600, 130), fill="#dde7ef")
    d.text((20, 66), "SMITH, Margaret Ann   DOB 14/03/1941 (84y)   NHS No 943 476 5919   "
           "MRN 00482211", font=bold(20), fill="#102030")
    d.text((20, 98), "Allergies: PENICILLIN (anaphylaxis)   Consultant: Dr R Patel   "
           "Admitted 27/11/2026 08:40", font=font(17), fill="#8a1c1c")
    d.text((20, 150), "Observations", font=bold(22), fill="#24506e")
    rows = [["Time", "Temp °C", "HR", "BP", "RR", "SpO2 %", "NEWS2"],
            ["06:00", "37.9", "104", "98/61", "22", "93", "6"],
            ["02:00", "37.4", "96", "104/66", "20", "94", "4"],
            ["22:00", "37.1", "88", "112/70", "18", "95", "2"],
            ["18:00", "36.9", "84", "118/74", "16", "96", "1"]]
    y = 190
    for index, row in enumerate(rows):
        for col, cell in enumerate(row):
            d.text((30 + col * 150, y), cell, font=bold(17) if index == 0 else font(17),
                   fill="#b00020" if index and col == 6 and int(cell) >= 5 else "#222")
        y += 34
        d.line((20, y - 6, 1580, y - 6), fill="#c8d2dc")
    y += 26
    d.text((20, y), "Medical notes — FY2 on call, 06:20", font=bold(22), fill="#24506e")
    for line in (
        "84F day 2 post right hemiarthroplasty. Called by nursing staff re rising NEWS2 (6).",
        "Febrile 37.9, tachycardic 104, BP 98/61, RR 22, SpO2 93% on air. New confusion.",
        "Chest: coarse crackles right base. Wound clean and dry. Calves soft, non-tender.",
        "Bloods: WCC 16.8, CRP 187 (from 42), lactate 2.4, creatinine 131 (baseline 88).",
        "Impression: likely hospital-acquired pneumonia; sepsis screen positive.",
        "Plan: sepsis six, blood cultures x2, CXR. Penicillin allergy: IV levofloxacin",
        "  per micro. 500 ml Hartmann's bolus, reassess in 1 h. Discussed with SpR.",
    ):
        y += 32
        d.text((30, y), line, font=font(18), fill="#1d2733")
    img.save(path)


def photo(path: Path) -> None:
    """A soft, photo-like picture (skin tones, shading and sensor noise) at 12 MP."""
    random.seed(7)
    small = Image.new("RGB", (400, 300))
    d = ImageDraw.Draw(small)
    for y in range(300):
        d.line((0, y, 400, y), fill=(int(222 - y * 0.12), int(178 - y * 0.15), int(150 - y * 0.12)))
    for _ in range(40):
        x, y, r = random.randint(0, 400), random.randint(0, 300), random.randint(3, 30)
        tone = random.randint(-30, 10)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(205 + tone, 150 + tone, 130 + tone))
    d.ellipse((170, 120, 250, 170), fill=(168, 62, 58))
    d.ellipse((185, 132, 232, 158), fill=(196, 96, 84))
    big = small.resize((4000, 3000), Image.BICUBIC).filter(ImageFilter.GaussianBlur(10))
    noise = Image.effect_noise((4000, 3000), 14).convert("RGB")
    Image.blend(big, noise, 0.06).save(path, quality=90)


def drag(window, tool_id, a, b, steps=6):
    window.choose_tool(tool_id)
    viewport = window.canvas.viewport()
    start, end = window.canvas.to_view(*a).toPoint(), window.canvas.to_view(*b).toPoint()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * i / steps)
        QTest.qWait(5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def open_and_wait(app, window, path):
    loaded = []
    window.picture_loaded.connect(lambda: loaded.append(1))
    window.open_path(str(path))
    while not loaded:
        app.processEvents()
        QTest.qWait(20)
    QTest.qWait(200)


def grab(path: Path) -> None:
    QTest.qWait(300)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
    print("wrote", path)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    record_page(work / "record.png")
    photo(work / "wound.jpg")
    app = QApplication([sys.argv[0]])
    from medsnap.ui.icons import style_sheet
    from medsnap.ui.main_window import MainWindow

    app.setStyleSheet(style_sheet())
    window = MainWindow(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    QTest.qWait(300)
    open_and_wait(app, window, work / "record.png")
    drag(window, "redaction", (14, 62), (1000, 90))  # name, DOB, NHS number, MRN
    drag(window, "highlighter", (30, 232), (1080, 232))  # the 06:00 observations
    drag(window, "ellipse", (865, 212), (975, 252))  # NEWS2 6
    drag(window, "arrow", (1260, 700), (1050, 640))
    drag(window, "marker", (1000, 232), (1000, 232), steps=1)
    drag(window, "text", (1160, 690), (1160, 690), steps=1)
    QTest.keyClicks(window.text_editor, "Sepsis: please review")
    QTest.keyClick(window.text_editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    drag(window, "rectangle", (20, 558), (900, 600))  # the bloods line
    drag(window, "pen", (30, 705), (700, 708))
    window.choose_tool("select")
    drag(window, "select", (1250, 702), (1250, 702), steps=1)  # select the arrow
    grab(out / f"editor-record-{window.width()}.png")
    open_and_wait(app, window, work / "wound.jpg")
    drag(window, "marker", (2100, 1450), (2100, 1450), steps=1)
    drag(window, "arrow", (2900, 2100), (2350, 1600))
    drag(window, "crop", (900, 500), (3300, 2400))
    window.crop_bar.boxes["w"].setValue(2500)
    window.crop_bar.apply_button.click()
    grab(out / f"editor-crop-{window.width()}.png")
    window.choose_tool("select")
    window.actions.preview.trigger()
    while window.canvas.sent_preview is None:
        app.processEvents()
        QTest.qWait(20)
    grab(out / f"editor-preview-{window.width()}.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
