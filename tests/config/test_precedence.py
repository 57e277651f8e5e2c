"""Precedence: Group Policy > machine defaults > policy file > user settings > default."""

from __future__ import annotations

import logging

import pytest

from medsnap.config import (
    MACHINE_KEY,
    POLICY_KEY,
    SETTINGS,
    MappingSource,
    RegistrySource,
    TomlPolicySource,
    load_config,
    system_sources,
)


def fake_registry(keys: dict[str, dict[str, object]]):
    """A registry with the given HKLM subkeys (the platform itself cannot be had on Linux)."""

    def reader(subkey: str) -> dict[str, object] | None:
        return keys.get(subkey)

    return reader


def windows_sources(keys: dict[str, dict[str, object]]):
    reader = fake_registry(keys)
    return [
        RegistrySource(POLICY_KEY, "Group Policy", locked=True, reader=reader),
        RegistrySource(MACHINE_KEY, "machine defaults", locked=False, reader=reader),
    ]


def test_nothing_configured_gives_every_declared_default():
    config = load_config(sources=[])
    for setting in SETTINGS:
        entry = config.entry(setting.key)
        assert (entry.value, entry.source, entry.locked) == (setting.default, "default", False)
    assert config["endpoint_url"] == ""  # the demo
    assert config.problems == ()


def test_group_policy_beats_machine_defaults_and_user_and_is_locked():
    sources = windows_sources({
        POLICY_KEY: {"lock_timeout_minutes": 2, "allow_copy": 0},
        MACHINE_KEY: {"lock_timeout_minutes": 10, "endpoint_url": "https://ms.trust.example"},
    })
    config = load_config({"lock_timeout_minutes": "30", "allow_copy": "true", "jpeg_quality": "75"}, sources)
    assert config.entry("lock_timeout_minutes").value == 2
    assert config.is_locked("lock_timeout_minutes")
    assert config.entry("lock_timeout_minutes").source == "Group Policy"
    assert config["allow_copy"] is False and config.is_locked("allow_copy")
    # machine defaults rank above the user, so the user cannot change what they set
    assert config.entry("endpoint_url").source == "machine defaults"
    assert config.is_locked("endpoint_url")
    assert config["jpeg_quality"] == 75 and config.entry("jpeg_quality").source == "user settings"
    assert config["retention_days"] == 30 and config.entry("retention_days").source == "default"


def test_machine_defaults_beat_user_settings():
    # The MSI's ENDPOINT_URL is where the hospital wants the app to go, not a lock.
    sources = windows_sources({MACHINE_KEY: {"endpoint_url": "https://ms.trust.example/"}})
    config = load_config({"endpoint_url": "https://elsewhere.example"}, sources)
    assert config["endpoint_url"] == "https://ms.trust.example"
    # shown greyed out in the settings dialog: a user's edit there would never take effect
    assert config.entry("endpoint_url").locked is True


def test_invalid_policy_value_is_logged_and_the_next_source_wins(caplog):
    sources = windows_sources({
        POLICY_KEY: {"lock_timeout_minutes": 0, "jpeg_quality": "ninety", "allow_copy": 7},
        MACHINE_KEY: {"lock_timeout_minutes": 15},
    })
    with caplog.at_level(logging.WARNING, logger="medsnap.config"):
        config = load_config({"allow_copy": "yes"}, sources)
    assert config["lock_timeout_minutes"] == 15
    assert config.entry("lock_timeout_minutes").source == "machine defaults"
    assert config["jpeg_quality"] == 90 and config.entry("jpeg_quality").source == "default"
    assert config["allow_copy"] is True and not config.is_locked("allow_copy")
    assert len(config.problems) == 3
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for key in ("lock_timeout_minutes", "jpeg_quality", "allow_copy"):
        assert f"Group Policy: {key} ignored" in logged


def test_unknown_policy_names_are_reported_but_user_extras_are_not():
    sources = windows_sources({POLICY_KEY: {"lock_timout_minutes": 3}})
    config = load_config({"window/geometry": "abc"}, sources)
    assert config.problems == ("Group Policy: unknown setting 'lock_timout_minutes' was ignored",)
    assert config["lock_timeout_minutes"] == 5


def test_unreadable_registry_key_is_a_problem_not_a_crash():
    def broken(subkey: str):
        raise PermissionError(5, "Access is denied")

    config = load_config({}, [RegistrySource(POLICY_KEY, "Group Policy", locked=True, reader=broken)])
    assert config["lock_timeout_minutes"] == 5
    assert "could not be read" in config.problems[0]


def test_invalid_user_value_falls_back_to_default():
    config = load_config({"jpeg_quality": "101", "max_megapixels": "lots"}, [])
    assert config["jpeg_quality"] == 90 and config["max_megapixels"] == 100
    assert len(config.problems) == 2


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_other_systems_read_the_policy_file_named_by_the_environment(platform, tmp_path):
    policy = tmp_path / "policy.toml"
    [source] = system_sources(platform, {"MEDSNAP_POLICY_FILE": str(policy)})
    assert isinstance(source, TomlPolicySource) and source.path == policy and source.locked
    [default] = system_sources(platform, {})
    assert str(default.path) == "/etc/medsnap/policy.toml"


def test_windows_reads_policy_then_machine_key():
    policy, machine = system_sources("win32", {})
    assert (policy.subkey, policy.locked) == (r"Software\Policies\MedSnap", True)
    assert (machine.subkey, machine.locked) == (r"Software\MedSnap", False)


def test_load_config_uses_the_policy_file_by_default(tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text('retention_days = 7\n', encoding="utf-8")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    config = load_config({"retention_days": 60})
    assert config["retention_days"] == 7 and config.is_locked("retention_days")


def test_a_value_from_any_admin_source_is_locked_for_the_user():
    # An admin source ranks above the user's choices, so the user could not change it anyway.
    config = load_config({"allow_copy": False}, sources=[MappingSource("test", {"allow_copy": True})])
    assert config["allow_copy"] is True and config.is_locked("allow_copy")
    assert not load_config({"allow_copy": True}, sources=[]).is_locked("allow_copy")


def test_empty_registry_values_mean_not_set():
    # The MSI writes root_fingerprint="" when IT gave no ROOT_FINGERPRINT.
    sources = windows_sources({MACHINE_KEY: {"endpoint_url": "https://ms.trust.example", "root_fingerprint": ""}})
    config = load_config({}, sources)
    assert config["endpoint_url"] == "https://ms.trust.example"
    assert config["root_fingerprint"] == "" and config.entry("root_fingerprint").source == \
        "default"


def test_the_endpoint_and_pinned_root_come_from_it_only():
    # A user's stored endpoint or pin is ignored: on a shared login anyone could rewrite it and
    # redirect every letter to another endpoint trusted through another root.
    user = {"endpoint_url": "https://elsewhere.example", "root_fingerprint": "cd" * 32,
            "retention_days": 9}
    config = load_config(user, sources=[])
    assert config["endpoint_url"] == "" and config["root_fingerprint"] == ""
    assert config["retention_days"] == 9  # the user's other choices still count
    admin = [MappingSource("policy", {"endpoint_url": "https://ms.trust.example"}, locked=True)]
    assert load_config(user, admin)["endpoint_url"] == "https://ms.trust.example"


def test_every_jpeg_quality_the_policy_accepts_the_exporter_accepts():
    # The declaration once allowed 96-100, which the exporter refuses. Now such a policy value
    # is reported as a problem and the default is used instead.
    from PIL import Image

    from medsnap.imaging.encoding import encode_clean

    [quality] = [setting for setting in SETTINGS if setting.key == "jpeg_quality"]
    for value in (quality.minimum, quality.maximum):
        config = load_config({}, [MappingSource("policy", {"jpeg_quality": value}, locked=True)])
        assert config["jpeg_quality"] == value and not config.problems
        encode_clean(Image.new("RGB", (8, 8), "white"), "jpeg", quality=config["jpeg_quality"])
    config = load_config({}, [MappingSource("policy", {"jpeg_quality": 100}, locked=True)])
    assert config["jpeg_quality"] == 90 and "jpeg_quality" in config.problems[0]
