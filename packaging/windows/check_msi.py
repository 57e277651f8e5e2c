"""Check a built MedSnap MSI's tables with msiinfo (msitools): what IT departments rely on.

    python packaging/windows/check_msi.py MedSnap.msi --version 0.1.0 [--payload DIR]

Prints one line per problem and exits 1 if there is any: per-machine install, the fixed
UpgradeCode, a MajorUpgrade that blocks downgrades, the Start-menu shortcut, the machine
defaults in HKLM\\Software\\MedSnap read back on upgrade, and (with --payload) every file of
the frozen app with its stable component GUID.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_payload import stable_guid  # noqa: E402

UPGRADE_CODE = "{6B1F6D2E-8C0A-4E57-9D3B-2F4C9A7E5B10}"
ONLY_DETECT = 2  # msidbUpgradeAttributesOnlyDetect
HKLM = "2"
MACHINE_DEFAULTS = {"endpoint_url": "ENDPOINT_URL", "root_fingerprint": "ROOT_FINGERPRINT"}
GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}")


def read_table(msi: Path, table: str) -> list[dict[str, str]]:
    """Rows of one table as dicts keyed by column name ([] if the table is absent)."""
    result = subprocess.run(["msiinfo", "export", str(msi), table], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return []
    lines = result.stdout.split("\r\n") if "\r\n" in result.stdout else result.stdout.split("\n")
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"))) for line in lines[3:] if line]


def summary(msi: Path) -> dict[str, str]:
    result = subprocess.run(["msiinfo", "suminfo", str(msi)], capture_output=True, text=True, timeout=60, check=True)
    return dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)


def _sequence(msi: Path, table: str) -> dict[str, int]:
    return {row["Action"]: int(row["Sequence"]) for row in read_table(msi, table)}


def check_product(msi: Path, version: str) -> list[str]:
    problems = []
    properties = {row["Property"]: row["Value"] for row in read_table(msi, "Property")}
    expected = {"ALLUSERS": "1", "UpgradeCode": UPGRADE_CODE, "ProductVersion": version, "ProductName": "MedSnap"}
    for name, value in expected.items():
        if properties.get(name) != value:
            problems.append(f"Property {name} is {properties.get(name)!r}, expected {value!r}")
    if not GUID.fullmatch(properties.get("ProductCode", "")):
        problems.append(f"ProductCode {properties.get('ProductCode')!r} is not a GUID")
    if not summary(msi).get("Template", "").startswith("x64;"):
        problems.append("the package is not built for x64 (Template)")
    return problems


def check_upgrades(msi: Path, version: str) -> list[str]:
    problems = []
    rows = [row for row in read_table(msi, "Upgrade") if row["UpgradeCode"] == UPGRADE_CODE]
    older = [r for r in rows if r["VersionMax"] == version and not int(r["Attributes"] or 0) & ONLY_DETECT]
    newer = [r for r in rows if r["VersionMin"] == version and int(r["Attributes"] or 0) & ONLY_DETECT]
    if not older:
        problems.append("Upgrade table does not remove older versions")
    if not newer:
        problems.append("Upgrade table does not detect newer versions")
    else:
        conditions = [row["Condition"] for row in read_table(msi, "LaunchCondition")]
        if f"NOT {newer[0]['ActionProperty']}" not in conditions:
            problems.append("no launch condition blocks a downgrade")
    if "RemoveExistingProducts" not in _sequence(msi, "InstallExecuteSequence"):
        problems.append("RemoveExistingProducts is not scheduled")
    return problems


def check_shortcut(msi: Path) -> list[str]:
    for row in read_table(msi, "Shortcut"):
        if row["Directory_"] == "ProgramMenuFolder" and row["Target"] == "[INSTALLDIR]MedSnap.exe":
            return []
    return ["no Start-menu shortcut to [INSTALLDIR]MedSnap.exe"]


def check_machine_defaults(msi: Path) -> list[str]:
    problems = []
    registry = read_table(msi, "Registry")
    locators = {row["Signature_"]: row for row in read_table(msi, "RegLocator")}
    searches = {row["Property"]: row["Signature_"] for row in read_table(msi, "AppSearch")}
    execute = _sequence(msi, "InstallExecuteSequence")
    ui = _sequence(msi, "InstallUISequence")
    for name, prop in MACHINE_DEFAULTS.items():
        if not any(r["Root"] == HKLM and r["Key"] == r"Software\MedSnap" and r["Name"] == name
                   and r["Value"] == f"[{prop}]" for r in registry):
            problems.append(f"no HKLM\\Software\\MedSnap\\{name} = [{prop}] registry row")
        locator = locators.get(searches.get(prop, ""))
        # Type 18 = raw value (2) from the 64-bit view (16).
        if not locator or (locator["Root"], locator["Key"], locator["Name"], locator["Type"]) != (
                HKLM, r"Software\MedSnap", name, "18"):
            problems.append(f"{prop} is not read back from the registry on upgrade/repair")
        for sequence_name, sequence in (("InstallExecuteSequence", execute), ("InstallUISequence", ui)):
            save, restore = sequence.get(f"SaveCmdLine{_camel(name)}"), sequence.get(f"RestoreCmdLine{_camel(name)}")
            if not (save and restore and save < sequence["AppSearch"] < restore < sequence["LaunchConditions"]):
                problems.append(f"{sequence_name}: a command-line {prop} would be overwritten by AppSearch")
    return problems


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def check_payload(msi: Path, payload: Path) -> list[str]:
    problems = []
    files = read_table(msi, "File")
    components = {row["Component"]: row for row in read_table(msi, "Component")}
    by_name: dict[str, list[dict[str, str]]] = {}
    for row in files:
        by_name.setdefault(row["FileName"].split("|")[-1], []).append(row)
    expected = sorted(path for path in payload.rglob("*") if path.is_file())
    if len(files) != len(expected):
        problems.append(f"File table has {len(files)} files, the payload {len(expected)}")
    for path in expected:
        relative = PurePosixPath(path.relative_to(payload).as_posix())
        guid = "{" + str(stable_guid(relative)).upper() + "}"
        matches = [row for row in by_name.get(path.name, []) if components.get(row["Component_"], {}).get("ComponentId") == guid]
        if not matches:
            problems.append(f"{relative} is missing or its component GUID is not the stable one")
        elif int(matches[0]["FileSize"]) != path.stat().st_size:
            problems.append(f"{relative} has size {matches[0]['FileSize']} in the MSI, {path.stat().st_size} on disk")
    return problems


def check_msi(msi: Path, version: str, payload: Path | None = None) -> list[str]:
    problems = check_product(msi, version) + check_upgrades(msi, version)
    problems += check_shortcut(msi) + check_machine_defaults(msi)
    if payload is not None:
        problems += check_payload(msi, payload)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("msi", type=Path)
    parser.add_argument("--version", required=True)
    parser.add_argument("--payload", type=Path, help="the frozen app folder the MSI was built from")
    args = parser.parse_args(argv)
    problems = check_msi(args.msi, args.version, args.payload)
    for problem in problems:
        print(f"FAIL {problem}")
    print("MSI checks passed" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
