"""No file dialog leaves a folder for the next person (a new user's finding: after opening
".../Mary JONES 9434765919/wound.png", Qt's own dialog wrote the folder to QtProject.conf as
lastVisited and history, and the next run's Open dialog listed it under Recent Places).

Through the real dialogs on the real window: the clinician types the folder and the file
name, as the tester did; then Qt's settings file holds no part of the path, and a dialog of
the next run (a new window) has no history from it."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from medsnap.ui.qt_enums import Qt

PATIENT = "Mary JONES 9434765919"
EARLIER = "Baby BROWN 4857773456"  # a folder an older MedSnap left in the settings


def _patient_parts(text: str) -> list[str]:
    return [part for part in ("Mary", "JONES", "9434765919", "BROWN", "4857773456")
            if part.lower() in text.lower()]


def _answer_dialog(qtbot, ask, *typed: str) -> dict:
    """Run ``ask`` (a real, modal file dialog); in it enter each of ``typed`` in the file name
    field followed by Enter, as a clinician does. Returns what the dialog showed on opening."""
    shown: dict = {}

    def act() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        shown["history"] = dialog.history()
        shown["folder"] = dialog.directory().absolutePath()
        shown["native"] = not dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        for text in typed:
            # set, not key by key: the completer's list would take the Enter offscreen
            name.setText(text)
            QTest.keyClick(name, Qt.Key.Key_Return)
            QTest.qWait(300)  # the folder entered is listed, as a person would wait
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(20, act)
    ask()  # returns once the dialog is answered
    qtbot.waitUntil(lambda: "history" in shown, timeout=5000)
    return shown


CUSTOM_COLOURS = ["#ff0000", "#00ff00"]


def _earlier_run_left(conf) -> None:
    """What an older MedSnap (and another program's setting) left in Qt's settings."""
    stored = QSettings(QSettings.Scope.UserScope, "QtProject")
    assert stored.fileName() == str(conf)
    stored.setValue("FileDialog/history", [f"file:///tmp/{EARLIER}"])
    stored.setValue("FileDialog/lastVisited", f"file:///tmp/{EARLIER}")
    # not the file dialog's: kept. (Two colours: a list of one is written to the file as a
    # plain value, and read back from it as a string, from this process's cache as a list)
    stored.setValue("Qt/customColors", CUSTOM_COLOURS)
    stored.sync()


def test_opening_and_saving_leave_no_folder_in_qt_settings(qtbot, make_window, tmp_path,
                                                           grey_png, qt_project_conf):
    conf = qt_project_conf
    _earlier_run_left(conf)
    patient = tmp_path / "newuser-files" / PATIENT
    patient.mkdir(parents=True)
    shutil.copy(grey_png, patient / "wound.png")

    window = make_window()
    # what an older version left is gone once the window is up, before any dialog
    qtbot.waitUntil(lambda: _patient_parts(conf.read_text()) == [], timeout=5000)
    assert "customColors" in conf.read_text()
    with qtbot.waitSignal(window.picture_loaded, timeout=15000):
        shown = _answer_dialog(qtbot, window.actions.open.trigger, f"{patient}/", "wound.png")
    assert window.source_name == "wound.png"
    assert not shown["native"]  # Qt's own dialog: the system's keep their own recent lists
    assert _patient_parts(" ".join(shown["history"])) == []  # the earlier run's not offered
    assert _patient_parts(conf.read_text()) == []
    assert "customColors" in conf.read_text()

    # Save a clean copy… into the patient's folder (where this run's dialog starts)
    copy = patient / "copy for the notes.png"
    _answer_dialog(qtbot, window.actions.save_copy.trigger, str(copy))
    qtbot.waitUntil(copy.exists, timeout=10000)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10000)
    assert _patient_parts(conf.read_text()) == []
    stored = QSettings(QSettings.Scope.UserScope, "QtProject")
    assert "FileDialog" not in stored.childGroups()
    assert stored.value("Qt/customColors") == CUSTOM_COLOURS
    window.undo_stack.setClean()
    window.close()

    # the next run: its Open dialog has no history but the folder it opens in
    again = make_window()
    shown = _answer_dialog(qtbot, again.actions.open.trigger)
    assert _patient_parts(" ".join(shown["history"])) == []
    assert set(shown["history"]) <= {shown["folder"]}
    assert _patient_parts(conf.read_text()) == []
