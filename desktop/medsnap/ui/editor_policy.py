"""Admin policy as the editor applies it: save and copy allowed or not, JPEG quality, the
largest picture. Resolved by ``medsnap.config`` from policy, machine defaults and the user's
own choices (QSettings, under the bare setting keys); parsed on first use, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

if TYPE_CHECKING:
    from medsnap.config import Config
    from medsnap.ui.main_window import MainWindow

def user_settings() -> QSettings:
    """This computer account's stored choices: QSettings under the organisation "MedSnap"."""
    return QSettings("MedSnap", "MedSnap")


def user_values(settings: QSettings) -> dict[str, object]:
    """The user's stored choices for every declared setting (absent keys are left out)."""
    from medsnap.config import SETTINGS

    return {s.key: settings.value(s.key) for s in SETTINGS if settings.contains(s.key)}


def load_editor_config(settings: QSettings) -> Config:
    from medsnap.config import load_config

    return load_config(user_values(settings))


class EditorPolicy:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._config: Config | None = None
        self._asked = False  # set once a menu or a timer wants the real answer

    def apply_now(self) -> None:
        self._asked = True
        self.apply()

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_editor_config(self.window.settings)
        return self._config

    def reload(self) -> None:
        """Read the sources again (after the settings dialog) and apply them."""
        self._config = None
        self.apply()

    @property
    def allow_save_copy(self) -> bool:
        return bool(self.config["allow_save_copy"])

    @property
    def allow_copy(self) -> bool:
        return bool(self.config["allow_copy"])

    @property
    def jpeg_quality(self) -> int:
        return int(self.config["jpeg_quality"])

    @property
    def max_pixels(self) -> int:
        from medsnap.config.policy_rules import max_pixels

        return max_pixels(self.config)  # a refusal names the policy that set the limit

    def apply(self) -> None:
        """Hide what policy forbids; what it allows is enabled only with a picture.
        Before the first picture nothing is parsed (start-up): both are merely disabled."""
        actions = self.window.actions
        has_document = self.window.document is not None
        if self._config is None and not has_document and not self._asked:
            actions.save_copy.setEnabled(False)
            actions.copy_image.setEnabled(False)
            return
        for action, allowed in ((actions.save_copy, self.allow_save_copy),
                                (actions.copy_image, self.allow_copy)):
            action.setVisible(allowed)
            action.setEnabled(allowed and has_document)
