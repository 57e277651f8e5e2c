"""Resolve every setting from its sources: the first source with a valid value wins.

Order: Group Policy (locked), machine defaults from the MSI, the policy file (locked, on
systems other than Windows), the user's preferences, the declared default. An invalid value
is logged and skipped, so the next source decides; a typo never stops a ward PC starting.

The endpoint and the pinned root are ``admin_only``: they decide whom every letter is sealed
to and which certificate authority is trusted, and the user's preferences on a shared ward
login can be rewritten by anyone using that login, so a user's value for them is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from medsnap.config.settings import SETTINGS, SETTINGS_BY_KEY, Setting, SettingValue
from medsnap.config.sources import MappingSource, Source, system_sources

log = logging.getLogger("medsnap.config")

DEFAULT_SOURCE = "default"
USER_SOURCE = "user settings"


@dataclass(frozen=True)
class ConfiguredValue:
    """The value in force for one setting, where it came from, and whether the user may change it."""

    setting: Setting
    value: SettingValue
    source: str
    locked: bool


class Config:
    """The resolved settings, in declaration order. ``config["jpeg_quality"]`` is the value."""

    def __init__(self, entries: Mapping[str, ConfiguredValue], problems: Sequence[str] = ()):
        self._entries = dict(entries)
        #: every problem found in the sources, for the log and an admin-facing notice
        self.problems: tuple[str, ...] = tuple(problems)

    def __getitem__(self, key: str) -> SettingValue:
        return self._entries[key].value

    def entry(self, key: str) -> ConfiguredValue:
        return self._entries[key]

    def is_locked(self, key: str) -> bool:
        return self._entries[key].locked

    def __iter__(self) -> Iterator[ConfiguredValue]:
        return iter(self._entries.values())

    def as_dict(self) -> dict[str, SettingValue]:
        return {key: entry.value for key, entry in self._entries.items()}

    def __repr__(self) -> str:
        return f"Config({self.as_dict()!r})"


def load_config(
    user: Mapping[str, object] | None = None,
    sources: Sequence[Source] | None = None,
) -> Config:
    """Resolve all settings. ``user`` is the user's stored preferences (the UI passes QSettings
    values); ``sources`` replaces this platform's admin sources (tests inject their own)."""
    admin = list(system_sources()) if sources is None else list(sources)
    chain: list[Source] = [*admin, MappingSource(USER_SOURCE, user or {})]
    problems: list[str] = []
    readings = []
    for source in chain:
        reading = source.read()
        problems.extend(f"{source.name}: {problem}" for problem in reading.problems)
        for key in reading.values:
            # The user's store also holds window geometry and such; only admin typos matter.
            if source in admin and key not in SETTINGS_BY_KEY:
                problems.append(f"{source.name}: unknown setting {key!r} was ignored")
        readings.append((source, reading.values))

    entries: dict[str, ConfiguredValue] = {}
    for setting in SETTINGS:
        entries[setting.key] = ConfiguredValue(setting, setting.default, DEFAULT_SOURCE, False)
        for source, values in readings:
            if setting.key not in values or (setting.admin_only and source not in admin):
                continue
            try:
                value = setting.parse(values[setting.key])
            except ValueError as error:
                problems.append(f"{source.name}: {setting.key} ignored: {error}")
                continue
            # Every admin source ranks above the user's choices, so a value one of them sets is
            # one the user cannot change (the settings dialog shows it greyed out).
            entries[setting.key] = ConfiguredValue(setting, value, source.name,
                                                   source.locked or source in admin)
            break

    for problem in problems:
        log.warning("MedSnap configuration: %s", problem)
    return Config(entries, problems)
