"""Build the MedSnap MSI on Linux with wixl (msitools), from the same WiX source as Windows.

    python packaging/windows/build_msi_wixl.py PAYLOAD_DIR --version 0.1.0 -o MedSnap.msi
    python packaging/windows/build_msi_wixl.py --fake-payload --version 0.1.0 -o test.msi

``--fake-payload`` makes a small stand-in for the frozen app (tests check the MSI's tables
and install it under Wine; a real Windows build uses WiX 5 on the PyInstaller folder).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_payload import payload_fragment  # noqa: E402

PRODUCT_WXS = HERE / "medsnap.wxs"
ICON = HERE.parent.parent / "resources" / "windows" / "medsnap.ico"

FAKE_FILES = {
    "MedSnap.exe": "MedSnap window {version}\n",
    "medsnap-cli.exe": "MedSnap command line {version}\n",
    "_internal/python311.dll": "python runtime\n",
    "_internal/PySide6/plugins/platforms/qwindows.dll": "qt platform plugin\n",
    "_internal/medsnap/resources/icons/medsnap.svg": "<svg/>\n",
    "_internal/base_library.zip": "library {version}\n",
}


def make_fake_payload(folder: Path, version: str) -> Path:
    """A stand-in app folder shaped like PyInstaller --onedir output; contents name the version."""
    for relative, text in FAKE_FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(version=version), encoding="utf-8")
    return folder


def build_msi(payload: Path, version: str, output: Path) -> Path:
    """Run wixl over medsnap.wxs plus a payload fragment generated for ``payload``."""
    if shutil.which("wixl") is None:
        raise SystemExit("wixl is not installed (Debian package wixl)")
    output = output.resolve()
    with tempfile.TemporaryDirectory(prefix="medsnap-wixl-") as stage_name:
        stage = Path(stage_name)
        (stage / "payload.wxs").write_text(payload_fragment(payload), encoding="utf-8")
        shutil.copyfile(ICON, stage / "medsnap.ico")
        # wixl resolves File/@Source relative to its working folder, and refuses absolute paths.
        payload_relative = os.path.relpath(payload.resolve(), stage)
        command = [
            "wixl", "-a", "x64", "-o", str(output),
            "-D", f"Version={version}", "-D", f"PayloadDir={payload_relative}", "-D", "IconFile=medsnap.ico",
            str(PRODUCT_WXS), "payload.wxs",
        ]
        result = subprocess.run(command, cwd=stage, capture_output=True, text=True, timeout=300)
        if result.returncode != 0 or not output.is_file():
            raise SystemExit(f"wixl failed ({result.returncode}):\n{result.stderr}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("payload", type=Path, nargs="?", help="frozen app folder")
    parser.add_argument("--fake-payload", action="store_true", help="build over a small stand-in app")
    parser.add_argument("--version", required=True, help="product version, x.y.z")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.fake_payload == (args.payload is not None):
        parser.error("give either PAYLOAD or --fake-payload")
    with tempfile.TemporaryDirectory(prefix="medsnap-payload-") as scratch:
        payload = make_fake_payload(Path(scratch), args.version) if args.fake_payload else args.payload
        print(build_msi(payload, args.version, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
