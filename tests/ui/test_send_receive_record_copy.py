"""'Save a copy for the record' in the viewer: written byte for byte and audited; hidden when
the administrator's policy forbids it (a real policy file, MEDSNAP_POLICY_FILE)."""

from __future__ import annotations

import pytest
from send_receive_support import (PASSPHRASE, messaging_fixtures, running_ward,
                                  sign_in_through_first_run)

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker

    with running_ward(("Remi Recorder", "Consultant"), ("Tess Teller", "Registrar")) as ward:
        tess = sign_in(Workstation(ward.home), ward.staff["Tess Teller"], PASSPHRASE,
                       keystore=ward.keystore)
        outbox = Outbox(tess.profile.outbox_path)
        try:
            queue_letter(tess, outbox, messaging_fixtures.clean_png(11),
                         [ward.staff["Remi Recorder"]], note="for the notes",
                         declaration="consent-written")
            assert SyncWorker(tess, outbox).run_once().sent
        finally:
            outbox.close()
            tess.close()
        yield ward


def _open_first(qtbot, ui) -> None:
    qtbot.waitUntil(lambda: ui.inbox_view.tree.topLevelItemCount() == 1, timeout=20000)
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        ui.inbox_view.tree.itemActivated.emit(ui.inbox_view.tree.topLevelItem(0), 0)


def test_save_a_copy_for_the_record_is_audited(qtbot, make_window, ward, qapp, tmp_path):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Remi Recorder"])
        _open_first(qtbot, ui)
        viewer = ui.viewer
        assert viewer.save.isVisible()
        target = tmp_path / "record.png"
        with qtbot.waitSignal(ui.binding.notice, timeout=10000) as notice:
            viewer.save_requested.emit(str(target), viewer.letter.message_id)  # the dialog's answer
        assert target.read_bytes() == viewer.letter.image
        assert target.stat().st_mode & 0o777 == 0o600  # the clinician's alone (was 0644)
        assert "audit" in notice.args[0]
        events = [e for e in ui.binding.session.audit.entries() if e["event"] == "saved_copy"]
        assert events and events[-1]["detail"]["id"] == viewer.letter.message_id
    finally:
        ui.shutdown()


def test_policy_hides_save_a_copy(qtbot, make_window, ward, qapp, tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text("allow_save_copy = false\n")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Remi Recorder"])
        _open_first(qtbot, ui)
        assert ui.viewer.isVisible() and ui.viewer.letter is not None
        assert not ui.viewer.save.isVisible()
    finally:
        ui.shutdown()
