"""Install, upgrade, downgrade-block and uninstall the test MSI under Wine (Debian wine64).

Wine's Windows Installer runs the real sequences (AppSearch, FindRelatedProducts,
RemoveExistingProducts, WriteRegistryValues...), so this checks behaviour, not just tables.
Limits of Wine, not of the MSI: repair (msiexec /f) is not exercised (Wine does not repair),
the Start-menu shortcut lands in the user's Programs folder rather than All Users', and exit
codes are truncated to 8 bits (1603 arrives as 67).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from msi_tools import load

build = load("build_msi_wixl")

WINE = "/usr/lib/wine/wine64"
WINESERVER = "/usr/lib/wine/wineserver64"
FATAL_ERROR = {1603, 1603 & 0xFF}
FINGERPRINT = "ab" * 32
pytestmark = pytest.mark.slow


class WinePrefix:
    def __init__(self, root: Path):
        self.root = root
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root.parent),
            "WINEPREFIX": str(root),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono/Gecko download prompts
        }

    def run(self, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
        # Output goes to a file, not a pipe: Wine's helper processes inherit the descriptors
        # and would hold a pipe open long after the command itself has finished.
        with tempfile.TemporaryFile() as output:
            result = subprocess.run([WINE, *args], env=self.env, stdout=output, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, timeout=timeout)
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
        return subprocess.CompletedProcess(result.args, result.returncode, text, "")

    def msiexec(self, *args: str) -> int:
        return self.run("msiexec", *args, "/qn").returncode

    def registry(self, key: str) -> dict[str, str] | None:
        result = self.run("reg", "query", key)
        if result.returncode != 0:
            return None
        values = {}
        for line in result.stdout.splitlines():
            parts = line.strip().split(None, 2)
            if len(parts) >= 2 and parts[1].startswith("REG_"):
                values[parts[0]] = parts[2] if len(parts) == 3 else ""
        return values

    def installed_medsnap_products(self) -> list[str]:
        uninstall = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall"
        listing = self.run("reg", "query", uninstall).stdout.splitlines()
        keys = [line.strip() for line in listing if line.strip().startswith("HKEY_") and line.strip().endswith("}")]
        return [k for k in keys if (self.registry(k) or {}).get("DisplayName") == "MedSnap"]

    @property
    def install_dir(self) -> Path:
        return self.root / "drive_c" / "Program Files" / "MedSnap"

    def shortcuts(self) -> list[Path]:
        return [p for p in (self.root / "drive_c").rglob("MedSnap.lnk") if "Start Menu" in str(p)]

    def start_server(self) -> None:
        # One persistent server for the whole test instead of one per command.
        subprocess.run([WINESERVER, "-p"], env=self.env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def stop(self) -> None:
        subprocess.run([WINESERVER, "-k"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    if not Path(WINE).exists():
        pytest.fail("Wine is missing: scripts/install --test installs the Debian package wine64")
    prefix = WinePrefix(tmp_path_factory.mktemp("wine") / "prefix")
    prefix.start_server()
    assert prefix.run("wineboot", "--init", timeout=300).returncode == 0
    yield prefix
    prefix.stop()
    shutil.rmtree(prefix.root, ignore_errors=True)


@pytest.fixture(scope="module")
def msis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("msis")
    return {
        version: build.build_msi(build.make_fake_payload(folder / version, version), version, folder / f"{version}.msi")
        for version in ("1.0.0", "1.1.0", "1.2.0")
    }


def test_install_upgrade_downgrade_block_uninstall(wine, msis):
    machine = r"HKLM\Software\MedSnap"
    exe = wine.install_dir / "MedSnap.exe"

    # Silent per-machine install with the machine defaults IT passes on the command line.
    assert wine.msiexec("/i", str(msis["1.0.0"]), "ENDPOINT_URL=https://medsnap.trust.example",
                        f"ROOT_FINGERPRINT={FINGERPRINT}") == 0
    assert exe.read_text() == "MedSnap window 1.0.0\n"
    assert (wine.install_dir / "_internal" / "PySide6" / "plugins" / "platforms" / "qwindows.dll").is_file()
    assert wine.registry(machine) == {"endpoint_url": "https://medsnap.trust.example", "root_fingerprint": FINGERPRINT}
    assert len(wine.shortcuts()) == 1
    assert len(wine.installed_medsnap_products()) == 1

    # A silent upgrade without the properties keeps the hospital's values.
    assert wine.msiexec("/i", str(msis["1.1.0"])) == 0
    assert exe.read_text() == "MedSnap window 1.1.0\n"
    assert wine.registry(machine) == {"endpoint_url": "https://medsnap.trust.example", "root_fingerprint": FINGERPRINT}
    assert len(wine.installed_medsnap_products()) == 1

    # An upgrade that names a new endpoint changes that value only.
    assert wine.msiexec("/i", str(msis["1.2.0"]), "ENDPOINT_URL=https://new.trust.example") == 0
    assert wine.registry(machine) == {"endpoint_url": "https://new.trust.example", "root_fingerprint": FINGERPRINT}

    # An older MSI refuses to install over a newer one and changes nothing.
    assert wine.msiexec("/i", str(msis["1.0.0"])) in FATAL_ERROR
    assert exe.read_text() == "MedSnap window 1.2.0\n"
    assert len(wine.installed_medsnap_products()) == 1

    # Uninstall removes files, shortcut, machine defaults and the product registration.
    assert wine.msiexec("/x", str(msis["1.2.0"])) == 0
    assert not wine.install_dir.exists()
    assert wine.registry(machine) is None
    assert wine.shortcuts() == []
    assert wine.installed_medsnap_products() == []
