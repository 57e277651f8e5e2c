"""The Group Policy templates cover every declared setting, exactly as the app reads it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from medsnap.config import POLICY_KEY, SETTINGS, MappingSource, load_config

from msi_tools import WINDOWS, load

admx_maker = load("make_admx")
NS = {"p": admx_maker.SCHEMA}
ADMX = WINDOWS / "policy" / "MedSnap.admx"
ADML = WINDOWS / "policy" / "en-US" / "MedSnap.adml"


def test_committed_templates_match_the_declarations():
    # Fails when a setting was added or changed without running make_admx.py again.
    for path, text in admx_maker.outputs(WINDOWS / "policy").items():
        assert path.read_text(encoding="utf-8") == text, f"run packaging/windows/make_admx.py ({path.name})"


def test_every_setting_is_a_machine_policy_with_the_right_value_type():
    policies = {p.get("name"): p for p in ET.parse(ADMX).getroot().iterfind(".//p:policy", NS)}
    assert list(policies) == [setting.key for setting in SETTINGS]
    for setting in SETTINGS:
        policy = policies[setting.key]
        assert (policy.get("class"), policy.get("key")) == ("Machine", POLICY_KEY)
        if setting.type is bool:
            assert policy.get("valueName") == setting.key
            assert policy.find("p:enabledValue/p:decimal", NS).get("value") == "1"
            assert policy.find("p:disabledValue/p:decimal", NS).get("value") == "0"
        elif setting.type is int:
            element = policy.find("p:elements/p:decimal", NS)
            assert element.get("valueName") == setting.key
            assert (int(element.get("minValue")), int(element.get("maxValue"))) == (setting.minimum, setting.maximum)
        else:
            assert policy.find("p:elements/p:text", NS).get("valueName") == setting.key


def test_every_reference_resolves_in_the_adml():
    admx_text = ADMX.read_text(encoding="utf-8")
    adml = ET.parse(ADML).getroot()
    strings = {s.get("id") for s in adml.iterfind(".//p:stringTable/p:string", NS)}
    presentations = {p.get("id") for p in adml.iterfind(".//p:presentationTable/p:presentation", NS)}
    assert set(re.findall(r"\$\(string\.([^)]+)\)", admx_text)) <= strings
    assert set(re.findall(r"\$\(presentation\.([^)]+)\)", admx_text)) == presentations
    for presentation in adml.iterfind(".//p:presentationTable/p:presentation", NS):
        [control] = list(presentation)
        assert control.get("refId") == presentation.get("id")


def test_values_group_policy_would_write_are_accepted_by_the_app():
    # What the ADMX makes Windows write: REG_DWORD 1/0 for switches, the minimum/maximum for numbers.
    written: dict[str, object] = {}
    for setting in SETTINGS:
        if setting.type is bool:
            written[setting.key] = 1
        elif setting.type is int:
            written[setting.key] = setting.maximum
    config = load_config({}, [MappingSource("Group Policy", written, locked=True)])
    assert config.problems == ()
    assert all(config.is_locked(key) for key in written)
