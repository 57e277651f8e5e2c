"""The settings dialog, derived from ``medsnap.config.SETTINGS``: one row per setting.

bool -> check box, int -> spin box within the declared range, str -> line edit. A value set
by policy is shown greyed out with "Set by your administrator". The user's choices are
written to QSettings under the bare setting keys, where ``load_config`` reads them. The
endpoint and the pinned root are shown but not editable: only IT sets them (see
``medsnap.config.loader`` for why). Above the rows it says that the choices are shared by
everyone on this computer account (a ward's shared login), that policy overrides them, and
that Lock after idle and Keep messages may only be made safer for the others.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from medsnap.config import Config, ConfiguredValue, SettingValue

ADMIN_NOTE = "Set by your administrator"
#: clinicians often share one computer login on a ward: a change here is not theirs alone
SCOPE_NOTE = ("These settings apply to everyone who uses MedSnap on this computer account, "
              "not only to you; IT's policy overrides them. So Lock after idle can only be "
              "made shorter, and Keep messages deletes only messages that have been opened.")
#: what a choice may do on a shared login (medsnap.messaging.user_choice_limits), in the tooltip
SHARED_LOGIN_LIMITS = {
    "lock_timeout_minutes": "A longer time than IT's, or than the default 5 minutes, is not "
                            "used: one person's choice must not keep everyone's keys open.",
    "retention_days": "Messages nobody has opened yet are kept at least 30 days (or as IT's "
                      "policy says), so no colleague's unread message is deleted early.",
}
IT_ONLY_NOTE = "Only IT sets this (policy or installer)"


class SettingsDialog(QDialog):
    def __init__(self, config: Config, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MedSnap settings")
        self.setAccessibleName("MedSnap settings")
        self.config, self.settings = config, settings
        self.editors: dict[str, QWidget] = {}
        self.scope = QLabel(SCOPE_NOTE, self)
        self.scope.setObjectName("settingsScope")
        self.scope.setWordWrap(True)
        form = QFormLayout()
        for entry in config:
            form.addRow(self._label(entry), self._row(entry))
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with a setting")
        self.problem.setStyleSheet("color: #B3261E;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scope)  # said before anything is changed
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _label(self, entry: ConfiguredValue) -> QLabel:
        label = QLabel(entry.setting.label, self)
        label.setToolTip(entry.setting.description)
        return label

    def _row(self, entry: ConfiguredValue) -> QWidget:
        setting, value = entry.setting, entry.value
        if setting.type is bool:
            editor: QWidget = QCheckBox(self)
            editor.setChecked(bool(value))
        elif setting.type is int:
            editor = QSpinBox(self)
            editor.setRange(setting.minimum if setting.minimum is not None else -2**31,
                            setting.maximum if setting.maximum is not None else 2**31 - 1)
            editor.setValue(int(value))
        else:
            editor = QLineEdit(str(value) if value or not setting.admin_only else "", self)
            if setting.admin_only and not value:
                editor.setPlaceholderText("not set: ask IT")
            # a whole https address or 64-digit fingerprint is seen, not only its end
            editor.setMinimumWidth(editor.fontMetrics().horizontalAdvance("0" * 66) + 16)
        editor.setAccessibleName(setting.label)
        limit = SHARED_LOGIN_LIMITS.get(setting.key)
        editor.setToolTip(f"{setting.description} {limit}" if limit else setting.description)
        fixed = entry.locked or setting.admin_only
        editor.setEnabled(not fixed)
        self.editors[setting.key] = editor
        if not fixed:
            return editor
        row = QWidget(self)
        line = QVBoxLayout(row) if setting.type is str else QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        why = ADMIN_NOTE if entry.locked else IT_ONLY_NOTE
        note = QLabel(why, row)
        note.setObjectName(f"{setting.key}_locked" if entry.locked else f"{setting.key}_it_only")
        note.setEnabled(False)
        line.addWidget(editor, 1)
        line.addWidget(note)
        editor.setToolTip(f"{setting.description} ({why[0].lower() + why[1:]}.)")
        return row

    def value_of(self, key: str) -> SettingValue:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        return editor.text()

    def accept(self) -> None:
        """Check every value the user may change, then store the ones they changed."""
        chosen: dict[str, SettingValue] = {}
        for entry in self.config:
            if entry.locked or entry.setting.admin_only:
                continue
            try:
                chosen[entry.setting.key] = entry.setting.parse(self.value_of(entry.setting.key))
            except ValueError as error:
                self.problem.setText(f"{entry.setting.label}: {error}. Nothing was saved; "
                                     "correct it and save again.")
                self.problem.show()
                self.editors[entry.setting.key].setFocus()
                return
        for key, value in chosen.items():
            if value != self.config[key] or self.settings.contains(key):
                self.settings.setValue(key, value)
        self.settings.sync()
        super().accept()
