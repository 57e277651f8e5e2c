"""The test MSI built with wixl from the same WiX source, checked table by table with msiinfo."""

from __future__ import annotations

import re

import pytest

from msi_tools import WINDOWS, load

build = load("build_msi_wixl")
check = load("check_msi")
payload = load("make_payload")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("msi")
    app = build.make_fake_payload(folder / "app", "1.2.3")
    return build.build_msi(app, "1.2.3", folder / "MedSnap.msi"), app


def test_msi_passes_every_check(built):
    msi, app = built
    assert check.check_msi(msi, "1.2.3", app) == []


def test_check_script_exit_code(built, capsys):
    msi, app = built
    assert check.main([str(msi), "--version", "1.2.3", "--payload", str(app)]) == 0
    assert check.main([str(msi), "--version", "1.2.4"]) == 1
    assert "ProductVersion" in capsys.readouterr().out


def test_each_build_gets_a_new_product_code_but_keeps_the_upgrade_code(built, tmp_path):
    msi, app = built
    again = build.build_msi(app, "1.2.3", tmp_path / "again.msi")
    codes = [{r["Property"]: r["Value"] for r in check.read_table(m, "Property")} for m in (msi, again)]
    assert codes[0]["ProductCode"] != codes[1]["ProductCode"]
    assert codes[0]["UpgradeCode"] == codes[1]["UpgradeCode"] == check.UPGRADE_CODE


def test_component_guids_are_stable_across_builds_and_folders(built, tmp_path):
    msi, _ = built
    other = build.make_fake_payload(tmp_path / "elsewhere", "9.9.9")
    again = build.build_msi(other, "9.9.9", tmp_path / "other.msi")
    first = {r["Component"]: r["ComponentId"] for r in check.read_table(msi, "Component")}
    second = {r["Component"]: r["ComponentId"] for r in check.read_table(again, "Component")}
    assert first == second
    assert payload.stable_guid(payload.PurePosixPath("MedSnap.exe")) == payload.stable_guid(
        payload.PurePosixPath("medsnap.EXE"))


def test_payload_fragment_is_well_formed_for_awkward_names(tmp_path):
    app = tmp_path / "app"
    (app / "sub dir").mkdir(parents=True)
    (app / "sub dir" / "R&D <notes>.txt").write_text("x")
    (app / "MedSnap.exe").write_text("x")
    text = payload.payload_fragment(app)
    assert "R&amp;D &lt;notes&gt;.txt" in text
    ids = re.findall(r'<(?:Component|File|Directory) Id="((?:cmp|fil|dir)_[0-9a-f]{32})"', text)
    assert len(ids) == len(set(ids)) == 5
    msi = build.build_msi(app, "0.0.1", tmp_path / "awkward.msi")
    assert check.check_payload(msi, app) == []


def test_check_catches_a_missing_shortcut_and_machine_default(tmp_path):
    # Build from a copy of the source without the shortcut and one registry value.
    source = (WINDOWS / "medsnap.wxs").read_text(encoding="utf-8")
    broken = re.sub(r"<DirectoryRef Id=\"ProgramMenuFolder\">.*?</DirectoryRef>", "", source, flags=re.S)
    broken = broken.replace('<ComponentRef Id="StartMenuShortcut" />', "")
    broken = broken.replace('Name="root_fingerprint" Type="string"', 'Name="root_fingerprint_typo" Type="string"')
    copy = tmp_path / "broken.wxs"
    copy.write_text(broken, encoding="utf-8")
    original = build.PRODUCT_WXS
    build.PRODUCT_WXS = copy
    try:
        msi = build.build_msi(build.make_fake_payload(tmp_path / "app", "1.0.0"), "1.0.0", tmp_path / "broken.msi")
    finally:
        build.PRODUCT_WXS = original
    problems = check.check_msi(msi, "1.0.0")
    assert any("Start-menu shortcut" in p for p in problems)
    assert any("root_fingerprint = [ROOT_FINGERPRINT]" in p for p in problems)


def test_wxs_stays_convertible_v3_syntax():
    text = (WINDOWS / "medsnap.wxs").read_text(encoding="utf-8")
    assert 'xmlns="http://schemas.microsoft.com/wix/2006/wi"' in text
    assert 'Product Id="*"' in text and 'InstallScope="perMachine"' in text
