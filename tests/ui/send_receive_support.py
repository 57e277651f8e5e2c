"""Shared by the window's messaging tests: a real endpoint process and one ward workstation
(own MEDSNAP_HOME, in-memory keyring) on which clinicians are enrolled once per module."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("messaging_fixtures",
                                               _HERE.parent / "messaging" / "messaging_support.py")
messaging_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["messaging_fixtures"] = messaging_fixtures
_spec.loader.exec_module(messaging_fixtures)  # the messaging engineer's endpoint helpers

PASSPHRASE = messaging_fixtures.PASSPHRASE
start_endpoint = messaging_fixtures.start_endpoint
add_clinician = messaging_fixtures.add_clinician


@dataclass
class Ward:
    """One shared workstation with clinicians enrolled on it: name -> staff id."""

    endpoint: object
    home: Path
    keystore: object
    staff: dict[str, str] = field(default_factory=dict)

    def enrol(self, name: str, role: str = "Registrar") -> str:
        from medsnap.messaging.session import enrol
        from medsnap.messaging.profile import Workstation

        staff_id, code = add_clinician(self.endpoint, name, role)
        enrol(Workstation(self.home), staff_id, code, PASSPHRASE, endpoint_url=self.endpoint.url,
              keystore=self.keystore).close()
        self.staff[name] = staff_id
        return staff_id


def make_ward(endpoint) -> Ward:
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore

    home = Path(tempfile.mkdtemp(prefix="medsnap-ward-"))
    return Ward(endpoint, home, KeyStore(keyring_backend=MemoryKeyring()))


def new_endpoint():
    return start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-ui-endpoint-")))


@contextmanager
def running_ward(*people: tuple[str, str]) -> Iterator[Ward]:
    """A real endpoint process and a ward with these (name, role) clinicians enrolled; the
    endpoint stops afterwards (a module's ``ward`` fixture yields from this)."""
    endpoint = new_endpoint()
    try:
        ward = make_ward(endpoint)
        for name, role in people:
            ward.enrol(name, role)
        yield ward
    finally:
        endpoint.stop()


def sign_in_through_first_run(qtbot, ui, staff_id: str) -> None:
    screen = ui.first_run
    assert screen.isVisible()
    screen.staff_id.setText(staff_id)
    screen.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
        QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    # generous: the directory answer took over 10 s once on a loaded 2-core machine
    qtbot.waitUntil(lambda: bool(ui.send_panel.picker.entries), timeout=30000)


def choose_colleague(qtbot, panel, text: str) -> None:
    """Type part of a name in To and take the top match with Enter."""
    qtbot.keyClicks(panel.picker.search, text)
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.picker.current is not None, timeout=10000)


def send_to(qtbot, ui, colleague: str) -> None:
    """Choose ``colleague``, declare direct care and press Send; returns once it was sent."""
    panel = ui.send_panel
    choose_colleague(qtbot, panel, colleague)
    panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert sent.args[1] == "sent", panel.outcome.text()
    qtbot.waitUntil(lambda: "Sent to" in panel.outcome.text(), timeout=5000)


@contextmanager
def signed_in_window(qtbot, make_window, ward: Ward, name: str, picture=None,
                     size: tuple[int, int] = (1100, 760)):
    """(window, ui): a window with messaging, ``name`` signed in through the welcome screen,
    ``picture`` opened if given; its messaging shut down afterwards."""
    from ui_support import open_and_wait

    from medsnap.ui.messaging_window import attach_messaging

    window = make_window(*size)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff[name])
        if picture is not None:
            open_and_wait(qtbot, window, picture)
        yield window, ui
    finally:
        ui.shutdown()


def no_draft_left(ui) -> None:
    """The picture's draft deleted and nothing more kept at shutdown: the clinician's next
    sign-in in this module (a module-scoped ward) does not restore it over a new picture."""
    ui.drafts.discard()
    assert ui.binding.wait_for_jobs(10000)


def disable_clinician(ward: Ward, name: str) -> None:
    """IT disables ``name`` at the ward's endpoint (medsnap-endpoint admin disable)."""
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    database = open_database(ward.endpoint.database_url)
    try:
        admin.set_enabled(database, ward.staff[name], False)
    finally:
        database.close()


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:4]}"
