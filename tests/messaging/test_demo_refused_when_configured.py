"""`medsnap demo` where an endpoint is chosen on purpose (review): it started the demo and
pointed the workstation at it although MEDSNAP_ENDPOINT or IT's policy named the hospital's, as
the window no longer does. Now refused plainly (exit 2) before anything starts or is written."""

from __future__ import annotations

import pytest

from medsnap.cli import main
from medsnap.messaging.profile import Workstation

HOSPITAL = "https://medsnap.trust.example"


@pytest.fixture
def hospital_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    Workstation(home).update(root_fingerprint="cd" * 32, current="hana01")
    monkeypatch.setenv("MEDSNAP_HOME", str(home))
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(tmp_path / "no-policy.toml"))
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    return home


@pytest.mark.parametrize("configured_by", ["MEDSNAP_ENDPOINT", "policy"])
def test_the_demo_refuses_when_an_endpoint_is_configured(configured_by, hospital_home,
                                                         tmp_path, monkeypatch, capsys):
    if configured_by == "policy":
        policy = tmp_path / "policy.toml"
        policy.write_text(f'endpoint_url = "{HOSPITAL}"\n', encoding="utf-8")
        monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    else:
        monkeypatch.setenv("MEDSNAP_ENDPOINT", HOSPITAL)
    import medsnap.messaging.demo as demo_module

    def never(*_args, **_kwargs):  # a regression would serve until Ctrl+C: fail, not hang
        raise AssertionError("the demo was started")

    monkeypatch.setattr(demo_module, "start_demo", never)
    before = Workstation(hospital_home).read()
    assert main(["demo", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert "Starting" not in out and HOSPITAL in err and "demo was not started" in err
    assert ("without MEDSNAP_ENDPOINT" in err) == (configured_by == "MEDSNAP_ENDPOINT")
    assert Workstation(hospital_home).read() == before
    assert not (hospital_home / "demo").exists()  # no demo database, no server
