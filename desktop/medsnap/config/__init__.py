"""MedSnap settings and admin policy, without Qt.

Each setting is declared once in :mod:`medsnap.config.settings`. :func:`load_config` resolves
every setting from, in order: ``HKLM\\Software\\Policies\\MedSnap`` (Group Policy, locked),
``HKLM\\Software\\MedSnap`` (machine defaults written by the MSI), ``/etc/medsnap/policy.toml``
(policy on other systems, locked), the user's preferences, and the declared default.
"""

from __future__ import annotations

from medsnap.config.loader import Config, ConfiguredValue, load_config
from medsnap.config.settings import SETTINGS, SETTINGS_BY_KEY, Setting, SettingValue
from medsnap.config.sources import (
    MACHINE_KEY,
    POLICY_FILE_ENV,
    POLICY_KEY,
    MappingSource,
    Reading,
    RegistrySource,
    Source,
    TomlPolicySource,
    system_sources,
)

__all__ = [
    "Config",
    "ConfiguredValue",
    "load_config",
    "SETTINGS",
    "SETTINGS_BY_KEY",
    "Setting",
    "SettingValue",
    "MACHINE_KEY",
    "POLICY_FILE_ENV",
    "POLICY_KEY",
    "MappingSource",
    "Reading",
    "RegistrySource",
    "Source",
    "TomlPolicySource",
    "system_sources",
]
