"""The real registry reader, driven by a stand-in ``winreg`` (Windows cannot be had on Linux)."""

from __future__ import annotations

import sys
import types

import pytest

from medsnap.config import POLICY_KEY, RegistrySource, load_config
from medsnap.config.sources import read_hklm_values


def fake_winreg(keys: dict[str, list[tuple[str, object, int]]]) -> types.ModuleType:
    module = types.ModuleType("winreg")
    module.HKEY_LOCAL_MACHINE = "HKLM"
    module.KEY_READ, module.KEY_WOW64_64KEY = 0x20019, 0x0100
    module.REG_SZ, module.REG_EXPAND_SZ, module.REG_BINARY, module.REG_DWORD, module.REG_QWORD = 1, 2, 3, 4, 11
    module.opened = []

    class Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def open_key(root, subkey, reserved, access):
        module.opened.append((root, subkey, access))
        if subkey not in keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return Key(keys[subkey])

    def enum_value(key, index):
        if index >= len(key.values):
            raise OSError(259, "No more data is available")
        return key.values[index]

    module.OpenKey, module.EnumValue = open_key, enum_value
    return module


@pytest.fixture
def winreg(monkeypatch):
    def install(keys):
        module = fake_winreg(keys)
        monkeypatch.setitem(sys.modules, "winreg", module)
        return module

    return install


def test_reads_values_from_the_64_bit_view(winreg):
    module = winreg({POLICY_KEY: [("lock_timeout_minutes", 3, 4), ("endpoint_url", "https://a.example", 1)]})
    assert read_hklm_values(POLICY_KEY) == {"lock_timeout_minutes": 3, "endpoint_url": "https://a.example"}
    [(root, subkey, access)] = module.opened
    assert (root, subkey) == ("HKLM", POLICY_KEY) and access & module.KEY_WOW64_64KEY


def test_missing_key_means_no_values(winreg):
    winreg({})
    assert read_hklm_values(POLICY_KEY) is None
    config = load_config({}, [RegistrySource(POLICY_KEY, "Group Policy", locked=True)])
    assert config.problems == () and config["lock_timeout_minutes"] == 5


def test_unsupported_registry_type_is_reported_not_applied(winreg):
    winreg({POLICY_KEY: [("allow_copy", b"\x01", 3)]})
    config = load_config({}, [RegistrySource(POLICY_KEY, "Group Policy", locked=True)])
    assert config["allow_copy"] is False
    assert "allow_copy ignored" in config.problems[0]
