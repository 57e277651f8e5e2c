"""Re-make the sending-and-receiving screenshots: run under a real X server, e.g.

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/send_receive_shots.py \
        OUT_DIR 1280x800

It starts the real demo (embedded endpoint, demo colleagues) in a temporary folder with a
test keyring, opens a fake record page in the editor, annotates and sends it to a demo
colleague through the send panel, switches user, reads the inbox (note previews, an urgent
one, a refused one), opens them, locks and unlocks, then re-enrols the colleague on another
computer (a new key) and shows the key-change warning, and grabs each screen.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "docs" / "screenshots")]


def wait_for(predicate, timeout: float = 60.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        QTest.qWait(30)


def save(widget, out: Path, name: str) -> None:
    QTest.qWait(150)
    widget.grab().save(str(out / name))
    print(out / name)


def tampered_message(home: Path, keystore, sender_id: str, to_id: str) -> None:
    """A message altered on the way: it must arrive refused."""
    from medsnap.crypto.letter import seal
    from medsnap.crypto.letter_model import Letter
    from medsnap.imaging import encode_clean
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from PIL import Image

    from medsnap.messaging.demo import COLLEAGUES

    phrase = next(c.passphrase for c in COLLEAGUES if c.staff_id == sender_id)
    session = sign_in(Workstation(home), sender_id, phrase, keystore=keystore)
    try:
        image = encode_clean(Image.new("RGB", (64, 64), (90, 90, 90)), "png")
        sealed = bytearray(seal(Letter(image=image, media_type="image/png", note="x"),
                                session.clinician, [session.colleague(to_id)], root=session.root))
        sealed[len(sealed) // 2] ^= 1
        session.transport.client.send(uuid.uuid4().hex, [to_id], bytes(sealed))
    finally:
        session.close()


def demo_session(home: Path, keystore, staff_id: str):
    from medsnap.messaging.demo import COLLEAGUES
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in

    phrase = next(c.passphrase for c in COLLEAGUES if c.staff_id == staff_id)
    return sign_in(Workstation(home), staff_id, phrase, keystore=keystore)


def plain_message(home: Path, keystore, sender_id: str, to_id: str, note: str) -> None:
    """A normal-priority message sent by the engine (a second colleague writing in)."""
    from PIL import Image

    from medsnap.imaging import encode_clean
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.sync import SyncWorker

    session = demo_session(home, keystore, sender_id)
    outbox = Outbox(session.profile.outbox_path)
    try:
        image = encode_clean(Image.new("RGB", (320, 240), (200, 205, 210)), "png")
        queue_letter(session, outbox, image, [to_id], note=note, declaration="direct-care",
                     annotations={"priority": "normal"})
        SyncWorker(session, outbox).run_once()
    finally:
        outbox.close()
        session.close()


def new_key_elsewhere(home: Path, staff_id: str) -> None:
    """The colleague enrols again on another computer: a new key in the directory."""
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore
    from medsnap.messaging.demo import COLLEAGUES
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import enrol
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    url = Workstation(home).read()["endpoint_url"]
    database = open_database(f"sqlite:///{home / 'demo' / 'endpoint.db'}")
    try:
        code, _ = admin.new_code(database, staff_id)
    finally:
        database.close()
    phrase = next(c.passphrase for c in COLLEAGUES if c.staff_id == staff_id)
    elsewhere = Path(tempfile.mkdtemp(prefix="medsnap-shots-other-"))
    enrol(Workstation(elsewhere), staff_id, code, phrase, endpoint_url=url,
          keystore=KeyStore(keyring_backend=MemoryKeyring())).close()


def save_with_dialog(window, dialog, out: Path, name: str) -> None:
    """The window with a dialog drawn where it stands (a dialog is a window of its own)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter

    QTest.qWait(250)
    picture = window.grab()
    painter = QPainter(picture)
    where = dialog.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    painter.drawPixmap(where, dialog.grab())
    painter.setPen(QColor("#7d8790"))  # no window manager under Xvfb: draw the dialog's edge
    painter.drawRect(dialog.rect().translated(where).adjusted(0, 0, -1, -1))
    painter.end()
    picture.save(str(out / name))
    print(out / name)


def sign_in_as(ui, staff_id: str, passphrase: str) -> None:
    ui.switch_action.trigger()
    ui.first_run.staff_id.setText(staff_id)
    ui.first_run.passphrase.setText(passphrase)
    QTest.mouseClick(ui.first_run.sign_in_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: ui.binding.is_unlocked and ui.binding.staff_id == staff_id)


def drag_tool(window, tool: str, a: tuple[int, int], b: tuple[int, int]) -> None:
    window.choose_tool(tool)
    viewport = window.canvas.viewport()
    pa, pb = window.canvas.to_view(*a).toPoint(), window.canvas.to_view(*b).toPoint()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pa)
    for i in range(1, 5):
        QTest.mouseMove(viewport, pa + (pb - pa) * i / 4)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pb)


def main(out: Path, size: str) -> None:
    from keyring_backends import MemoryKeyring
    from make_screenshots import record_page

    from medsnap.crypto.keystore import KeyStore
    from medsnap.ui.icons import style_sheet
    from medsnap.ui.main_window import MainWindow
    from medsnap.ui.messaging_window import attach_messaging

    width, height = (int(v) for v in size.split("x"))
    out.mkdir(parents=True, exist_ok=True)  # Qt's save() fails silently into a missing folder
    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(style_sheet())
    work = Path(tempfile.mkdtemp(prefix="medsnap-shots-"))
    page = work / "record.png"
    record_page(page)
    keystore = KeyStore(keyring_backend=MemoryKeyring())
    window = MainWindow(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(width, height)
    window.show()
    ui = attach_messaging(window, home=work / "home", keystore=keystore, sync_interval_ms=700)
    ui.binding.demo_port = 0
    wait_for(window.isVisible)
    save(window, out, f"send-first-run-{size}.png")

    QTest.mouseClick(ui.first_run.demo_button, Qt.MouseButton.LeftButton)
    wait_for(lambda: ui.binding.is_unlocked and len(ui.send_panel.picker.entries) == 2)
    from PySide6.QtWidgets import QMessageBox
    demo_box = next(b for b in window.findChildren(QMessageBox))
    demo_box.close()

    window.open_path(str(page))
    wait_for(lambda: window.document is not None)
    for tool, a, b in (("ellipse", (330, 215), (560, 260)), ("redaction", (10, 60), (1100, 100))):
        drag_tool(window, tool, a, b)
    panel = ui.send_panel
    panel.note.setPlainText("NEWS2 6 at 06:00, new confusion. Happy with levofloxacin?")
    QTest.keyClicks(panel.picker.search, "regis")  # type-ahead over the role
    save(window, out, f"send-picker-{size}.png")
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
    panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
    panel.priority.setCurrentIndex(1)
    save(window, out, f"send-ready-{size}.png")
    with_sent = []
    ui.binding.sent.connect(lambda *args: with_sent.append(args))
    QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    wait_for(lambda: with_sent)
    wait_for(lambda: ui.outbox_view.tree.topLevelItemCount() == 1)
    ui.tabs.setCurrentWidget(ui.outbox_view)
    save(window, out, f"send-panel-{size}.png")

    home = work / "home"
    plain_message(home, keystore, "demo.chloe", "demo.ben",
                  "Sacral pressure area, bed 14: grade 2? Dressing plan attached.")
    tampered_message(home, keystore, "demo.chloe", "demo.ben")
    sign_in_as(ui, "demo.ben", "violet harbour naps 3 times")
    wait_for(lambda: ui.inbox_view.tree.topLevelItemCount() == 3)
    ui.tabs.setCurrentWidget(ui.inbox_view)
    save(window, out, f"inbox-new-{size}.png")

    tree = ui.inbox_view.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    good = next(r for r in rows if "Okafor" in r.text(0))
    bad = next(r for r in rows if "Refused" in r.text(0))
    ui.viewer.resize(int(width * 0.7), int(height * 0.85))
    tree.itemActivated.emit(good, 0)
    wait_for(lambda: ui.viewer.letter is not None)
    save(ui.viewer, out, f"inbox-verified-{size}.png")
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    bad = next(r for r in rows if "Refused" in r.text(0))
    tree.itemActivated.emit(bad, 0)
    wait_for(lambda: ui.viewer.letter is None)
    save(ui.viewer, out, f"inbox-refused-{size}.png")
    ui.viewer.close()
    save(window, out, f"inbox-list-{size}.png")

    ui.lock_action.trigger()
    wait_for(ui.lock_screen.isVisible)
    save(window, out, f"lock-{size}.png")
    ui.lock_screen.passphrase.setText("violet harbour naps 3 times")
    QTest.keyClick(ui.lock_screen.passphrase, Qt.Key.Key_Return)
    save(window, out, f"lock-unlocking-{size}.png")
    wait_for(lambda: not ui.lock_screen.isVisible())

    # Ben gets a new computer and enrols again: Ada's next send to him warns first
    new_key_elsewhere(home, "demo.ben")
    sign_in_as(ui, "demo.ada", "amber kettle sings 7 tunes")
    window.open_path(str(page))
    wait_for(lambda: window.document is not None)
    drag_tool(window, "redaction", (10, 60), (1100, 100))
    drag_tool(window, "ellipse", (330, 215), (560, 260))
    panel.note.setPlainText("Repeat film after reduction, please.")
    QTest.keyClicks(panel.picker.search, "Hughes")
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
    wait_for(lambda: panel.picker.key_changed)
    panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
    save(window, out, f"send-key-changed-{size}.png")
    QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    wait_for(lambda: panel.key_change_box is not None and panel.key_change_box.isVisible())
    save_with_dialog(window, panel.key_change_box, out, f"send-key-changed-confirm-{size}.png")
    panel.key_change_box.reject()
    ui.shutdown()
    window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "1280x800")
