"""The declarations themselves: unique stable keys, defaults that pass their own validation."""

from __future__ import annotations

import pytest

from medsnap.config import SETTINGS, SETTINGS_BY_KEY

# Permanent keys (registry value names, policy file keys, QSettings keys): never rename.
STABLE_KEYS = [
    "endpoint_url", "root_fingerprint", "lock_timeout_minutes", "retention_days",
    "allow_copy", "allow_save_copy", "jpeg_quality", "max_megapixels",
]


def test_keys_are_stable_and_unique():
    keys = [setting.key for setting in SETTINGS]
    assert keys[: len(STABLE_KEYS)] == STABLE_KEYS
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_is_described_and_its_default_is_valid(setting):
    assert setting.parse(setting.default) == setting.default
    assert setting.label and setting.description and "\n" not in setting.description
    assert isinstance(setting.default, setting.type)
    assert setting.parse(setting.to_text(setting.default)) == setting.default


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("allow_copy", "TRUE", True), ("allow_copy", 0, False), ("allow_copy", "no", False),
        ("lock_timeout_minutes", "7", 7), ("lock_timeout_minutes", 120, 120),
        ("jpeg_quality", 50, 50),
        ("endpoint_url", "http://127.0.0.1:8443/", "http://127.0.0.1:8443"),
        ("endpoint_url", "http://[::1]:8443", "http://[::1]:8443"),
        ("root_fingerprint", "AB" * 32, "ab" * 32),
    ],
)
def test_parse_accepts_what_each_store_produces(key, raw, expected):
    assert SETTINGS_BY_KEY[key].parse(raw) == expected


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("allow_copy", 2), ("allow_copy", "maybe"),
        ("lock_timeout_minutes", 0), ("lock_timeout_minutes", 121), ("lock_timeout_minutes", True),
        ("lock_timeout_minutes", "5.5"), ("jpeg_quality", 49), ("retention_days", None),
        ("endpoint_url", "ftp://x.example"), ("endpoint_url", "http://medsnap.example"),
        ("endpoint_url", "https://user:pw@x.example"), ("endpoint_url", 5),
        ("root_fingerprint", "ab" * 31), ("root_fingerprint", "zz" * 32),
    ],
)
def test_parse_rejects_invalid_values(key, raw):
    with pytest.raises(ValueError):
        SETTINGS_BY_KEY[key].parse(raw)
