"""Where settings come from: the Windows registry, the policy file, the user's preferences.

A source only reads raw values; it never validates them (the loader does, per setting) and
never raises for an unreadable store: a ward PC must start even if a policy file has a typo.
Problems are returned with the values so that the loader can log them and show them.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger("medsnap.config")

POLICY_KEY = r"Software\Policies\MedSnap"
MACHINE_KEY = r"Software\MedSnap"
POLICY_FILE = Path("/etc/medsnap/policy.toml")
POLICY_FILE_ENV = "MEDSNAP_POLICY_FILE"


@dataclass
class Reading:
    """Raw values read from one source plus anything that went wrong while reading it."""

    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: why the whole source was ignored ("" when it was read): none of its values apply
    ignored: str = ""


class Source(Protocol):
    """A store of raw setting values. ``locked`` sources are admin policy the user cannot override."""

    name: str
    locked: bool

    def read(self) -> Reading: ...


@dataclass
class MappingSource:
    """Values already in memory: the user's QSettings values, or a test's."""

    name: str
    values: Mapping[str, object]
    locked: bool = False

    def read(self) -> Reading:
        return Reading(dict(self.values))


@dataclass
class TomlPolicySource:
    """The policy file on Linux and macOS: top-level ``key = value`` pairs, TOML syntax."""

    path: Path
    name: str = "policy file"
    locked: bool = True

    def read(self) -> Reading:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return Reading()
        except OSError as error:
            return self._ignored(f"could not be read ({error.strerror})")
        if mode & stat.S_IWOTH:
            # Anyone could rewrite the endpoint and pinned root: not a policy anybody set.
            return self._ignored("is writable by every user", " (chmod o-w it)")
        try:
            with self.path.open("rb") as stream:
                document = tomllib.load(stream)
        except OSError as error:
            return self._ignored(f"could not be read ({error.strerror})")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            return self._ignored(f"is not valid TOML ({error})")
        tables = [key for key, value in document.items() if isinstance(value, dict)]
        values = {key: value for key, value in document.items() if key not in tables}
        problems = [f"{self.path}: table [{key}] is not a MedSnap setting; it was ignored" for key in tables]
        return Reading(values, problems)

    def _ignored(self, why: str, remedy: str = "") -> Reading:
        return Reading(problems=[f"{self.path} {why}; it was ignored{remedy}"],
                       ignored=why.removeprefix("is "))


RegistryReader = Callable[[str], dict[str, object] | None]


def read_hklm_values(subkey: str) -> dict[str, object] | None:
    """All values of ``HKEY_LOCAL_MACHINE\\<subkey>`` in the 64-bit view; None if the key is absent."""
    import winreg  # Windows only; imported here so that the module loads everywhere

    access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, subkey, 0, access)
    except FileNotFoundError:
        return None
    values: dict[str, object] = {}
    with key:
        index = 0
        while True:
            try:
                name, data, kind = winreg.EnumValue(key, index)
            except OSError:  # no more values
                break
            if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ, winreg.REG_DWORD, winreg.REG_QWORD):
                values[name] = data
            else:
                values[name] = f"<unsupported registry type {kind}>"
            index += 1
    return values


@dataclass
class RegistrySource:
    """One HKLM key. ``reader`` defaults to the real registry; tests inject a fake one."""

    subkey: str
    name: str
    locked: bool
    reader: RegistryReader = read_hklm_values

    def read(self) -> Reading:
        try:
            values = self.reader(self.subkey)
        except OSError as error:
            return Reading(problems=[f"HKLM\\{self.subkey} could not be read ({error}); it was ignored"])
        # The MSI writes every machine default, empty when IT gave none: empty means "not set".
        return Reading({name: value for name, value in (values or {}).items() if value != ""})


def policy_file_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    override = environ.get(POLICY_FILE_ENV)
    return Path(override) if override else POLICY_FILE


def system_sources(platform: str | None = None, environ: Mapping[str, str] | None = None) -> list[Source]:
    """The admin sources of this platform, strongest first (user settings and defaults follow)."""
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        return [
            RegistrySource(POLICY_KEY, "Group Policy", locked=True),
            RegistrySource(MACHINE_KEY, "machine defaults", locked=False),
        ]
    return [TomlPolicySource(policy_file_path(environ))]
