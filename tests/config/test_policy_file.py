"""The TOML policy file: real files, real tomllib, real permissions."""

from __future__ import annotations

import os

from medsnap.config import TomlPolicySource, load_config

FINGERPRINT = "AB:CD:" + ":".join(["0f"] * 30)


def write_policy(tmp_path, text: str):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


def test_policy_file_values_are_typed_normalised_and_locked(tmp_path):
    path = write_policy(tmp_path, f'''
endpoint_url = "https://medsnap.trust.example/"
root_fingerprint = "{FINGERPRINT}"
lock_timeout_minutes = 3
allow_copy = false
allow_save_copy = false
''')
    config = load_config({"allow_save_copy": True, "lock_timeout_minutes": 60}, [TomlPolicySource(path)])
    assert config["endpoint_url"] == "https://medsnap.trust.example"
    assert config["root_fingerprint"] == "abcd" + "0f" * 30
    assert config["lock_timeout_minutes"] == 3
    assert config["allow_save_copy"] is False
    locked = {entry.setting.key for entry in config if entry.locked}
    assert locked == {"endpoint_url", "root_fingerprint", "lock_timeout_minutes", "allow_copy", "allow_save_copy"}
    assert config.problems == ()


def test_missing_file_is_silent(tmp_path):
    config = load_config({}, [TomlPolicySource(tmp_path / "absent.toml")])
    assert config.problems == () and config["lock_timeout_minutes"] == 5


def test_syntax_error_ignores_the_file_with_a_warning(tmp_path):
    path = write_policy(tmp_path, "lock_timeout_minutes = 3\nallow_copy = tru\n")
    config = load_config({"lock_timeout_minutes": 9}, [TomlPolicySource(path)])
    assert config["lock_timeout_minutes"] == 9 and not config.is_locked("lock_timeout_minutes")
    assert "is not valid TOML" in config.problems[0]


def test_one_bad_value_does_not_spoil_the_others(tmp_path):
    path = write_policy(tmp_path, 'endpoint_url = "http://medsnap.trust.example"\njpeg_quality = 80\n')
    config = load_config({"endpoint_url": "https://user.example"}, [TomlPolicySource(path)])
    assert config["jpeg_quality"] == 80 and config.is_locked("jpeg_quality")
    # plain http to another machine is refused; the default stands (only IT sets the
    # endpoint: the user's choice is ignored)
    assert config["endpoint_url"] == ""
    assert "must use https" in config.problems[0]


def test_world_writable_policy_is_refused(tmp_path):
    path = write_policy(tmp_path, "allow_copy = true\n")
    os.chmod(path, 0o666)
    config = load_config({}, [TomlPolicySource(path)])
    assert config["allow_copy"] is False and not config.is_locked("allow_copy")
    assert "writable by every user" in config.problems[0]


def test_tables_are_reported_not_applied(tmp_path):
    path = write_policy(tmp_path, "[medsnap]\nallow_copy = true\n")
    config = load_config({}, [TomlPolicySource(path)])
    assert config["allow_copy"] is False
    assert "table [medsnap]" in config.problems[0]


def test_invalid_utf8_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_bytes(b'endpoint_url = "\xff\xfe"\n')
    config = load_config({}, [TomlPolicySource(path)])
    assert config["endpoint_url"] == "" and config.problems
