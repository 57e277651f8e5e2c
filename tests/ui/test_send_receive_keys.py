"""Colleagues' keys in the picker: the safety number on demand marks a colleague verified,
and a colleague whose key changed since the last send is flagged before anything is sent."""

from __future__ import annotations

import pytest
from ui_support import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from send_receive_support import PASSPHRASE, make_ward, running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Kim Keeper", "Consultant"), ("Dan Device", "Registrar")) as ward:
        yield ward


def _reenrol_on_new_device(ward, staff_id: str) -> None:
    """Dan enrols again (a new computer, new keys): his directory entry changes."""
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import enrol
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    second = make_ward(ward.endpoint)
    database = open_database(ward.endpoint.database_url)
    try:
        code, _ = admin.new_code(database, staff_id)
    finally:
        database.close()
    enrol(Workstation(second.home), staff_id, code, PASSPHRASE, endpoint_url=ward.endpoint.url,
          keystore=second.keystore).close()


def test_verified_badge_and_key_change_warning(qtbot, make_window, ward, qapp, grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore, sync_interval_ms=500)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Kim Keeper"])
        open_and_wait(qtbot, window, grey_png)
        picker = ui.send_panel.picker
        qtbot.keyClicks(picker.search, "registrar")  # type-ahead over the role
        assert picker.list.count() == 1 and picker.list.item(0).text().startswith("Dan Device")
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
        assert "not yet verified" in picker.card.text() and not picker.warning.isVisible()

        QTest.mouseClick(picker.safety, Qt.MouseButton.LeftButton)
        [box] = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Safety number"]
        from medsnap.ui.colleague_picker import safety_number_of
        old_number = safety_number_of(picker.current)
        assert old_number in box.text()
        [match] = [b for b in box.buttons() if b.text() == "They match"]
        QTest.mouseClick(match, Qt.MouseButton.LeftButton)
        assert "✓ verified in person" in picker.card.text()
        assert ui.binding.known_colleagues()[ward.staff["Dan Device"]]["verified"] is True

        _reenrol_on_new_device(ward, ward.staff["Dan Device"])
        QTest.mouseClick(picker.change, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(ui.binding.directory_changed, timeout=10000):
            ui.binding.load_directory()
        qtbot.keyClicks(picker.search, "Dan")
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
        assert picker.key_changed and picker.warning.isVisible()
        assert "key has changed" in picker.warning.text()
        assert "✓ verified in person" not in picker.card.text()
        assert "not yet verified" in picker.card.text()  # the badge is back to unverified
        assert safety_number_of(picker.current) != old_number

        # Send asks first; Cancel sends nothing
        panel = ui.send_panel
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        box = panel.key_change_box
        assert box.isVisible() and "key has changed" in box.text()
        assert box.defaultButton().text() == "Cancel"  # Enter sends nothing
        with qtbot.assertNotEmitted(ui.binding.sending):
            QTest.keyClick(box, Qt.Key.Key_Return)
        assert not box.isVisible() and picker.key_changed and panel.outcome.text() == ""
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        box = panel.key_change_box
        [compare] = [b for b in box.buttons() if b.text() == "Compare safety number…"]
        QTest.mouseClick(compare, Qt.MouseButton.LeftButton)
        [number] = [b for b in window.findChildren(QMessageBox)
                    if b.windowTitle() == "Safety number" and b.isVisible()]
        assert safety_number_of(picker.current) in number.text()
        number.reject()
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        box = panel.key_change_box
        with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
            [anyway] = [b for b in box.buttons() if b.text() == "Send anyway"]
            QTest.mouseClick(anyway, Qt.MouseButton.LeftButton)
        assert sent.args[1] == "sent"
        known = ui.binding.known_colleagues()[ward.staff["Dan Device"]]
        assert known["safety_number"] == safety_number_of(picker.current)
        assert known["verified"] is False  # the new key has not been compared yet
    finally:
        ui.shutdown()


def test_type_ahead_puts_recent_colleagues_first(qapp, tmp_path):
    from PySide6.QtCore import QSettings

    from medsnap.ui.colleague_picker import ColleaguePicker, remember_recent

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    people = [{"staff_id": f"id{i}", "display_name": name, "role": role, "department": dept,
               "signing_certificate": "", "encryption_certificate": ""}
              for i, (name, role, dept) in enumerate([
                  ("Amy Adams", "Registrar", "Cardiology"), ("Bea Brown", "Consultant", "Cardiology"),
                  ("Cal Clark", "Registrar", "Renal"), ("Me Myself", "Registrar", "Cardiology")])]
    picker = ColleaguePicker(settings)
    picker.set_entries(people, "id3", {})
    assert [e["display_name"] for e in picker.ordered("")] == ["Amy Adams", "Bea Brown",
                                                                 "Cal Clark"]
    assert [e["display_name"] for e in picker.ordered("cardio")] == ["Amy Adams", "Bea Brown"]
    assert [e["display_name"] for e in picker.ordered("registrar renal")] == ["Cal Clark"]
    settings.setValue("messaging/recent_colleagues", ["id0"])  # an earlier version's, shared
    remember_recent(settings, "id3", "id2")
    remember_recent(settings, "id3", "id1")
    assert not settings.contains("messaging/recent_colleagues")  # gone: it named who sent to whom
    assert [e["display_name"] for e in picker.ordered("")] == ["Bea Brown", "Cal Clark",
                                                                 "Amy Adams"]
    picker.refilter()
    assert picker.list.item(0).text().startswith("Bea Brown")
    # the next clinician at this computer has their own order, not the last one's (NU5)
    picker.set_entries(people, "id0", {})
    assert [e["display_name"] for e in picker.ordered("")][0] == "Bea Brown"  # alphabetical
    remember_recent(settings, "id0", "id3")
    assert [e["display_name"] for e in picker.ordered("")][0] == "Me Myself"
    picker.set_entries(people, "id3", {})
    assert [e["display_name"] for e in picker.ordered("")][0] == "Bea Brown"  # id3's own
    picker.deleteLater()
