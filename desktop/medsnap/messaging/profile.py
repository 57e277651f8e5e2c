"""Where a clinician's local state lives: one profile folder per clinician on a workstation.

    MEDSNAP_HOME (or the user data folder)
      workstation.json          endpoint URL and pinned hospital root for this workstation, the
                                demo's address and root (kept apart), last user
      profiles/<staff id>/      profile.json, outbox.db, inbox.db, replay.db, audit.jsonl, drafts/,
                                outbox-letters/ and inbox-letters/ (one age file per letter)
      demo/                     the embedded demo endpoint's database

Nothing in a profile folder is plaintext content: the databases hold metadata, the letters
folders ciphertext, drafts are age files to the clinician's own key, the audit log metadata.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from medsnap.messaging.errors import NoEndpoint, ProfileError

HOME_ENV = "MEDSNAP_HOME"
ENDPOINT_ENV = "MEDSNAP_ENDPOINT"
#: the demo's address and throwaway root, apart from the hospital's ``root_fingerprint``
DEMO_URL_KEY = "demo_endpoint_url"
DEMO_ROOT_KEY = "demo_root_fingerprint"
_STAFF_ID = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def medsnap_home() -> Path:
    """MEDSNAP_HOME, else the platform's per-user data folder."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "MedSnap"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "MedSnap"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "medsnap"


def write_json_atomically(path: Path, value: object) -> None:
    from medsnap.files import replace_atomically  # tempfile: only when writing

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps(value, indent=2, sort_keys=True)
    replace_atomically(path, text.encode("utf-8"))


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ProfileError(f"The MedSnap settings file {path} could not be read ({error}). "
                           "Your messages are untouched. Delete the file and sign in again, "
                           "or ask IT.") from None
    return value if isinstance(value, dict) else {}


def root_fingerprint(root_pem: bytes) -> str:
    # cryptography's x509 costs ~0.1 s to import, hashlib (OpenSSL) ~3 ms: not while the app
    # starts
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(root_pem)
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class Workstation:
    """The workstation-wide file: which endpoint, which root, who signed in last."""

    home: Path

    @property
    def path(self) -> Path:
        return self.home / "workstation.json"

    def read(self) -> dict:
        return _read_json(self.path)

    def update(self, **values: object) -> None:
        current = self.read()
        current.update(values)
        write_json_atomically(self.path, current)

    def endpoint_url(self, explicit: str | None = None) -> str:
        """--endpoint, then MEDSNAP_ENDPOINT, then admin policy, then the demo's address."""
        url = explicit or configured_endpoint()[0] or self.read().get("endpoint_url")
        if not url:
            raise NoEndpoint("No MedSnap endpoint is configured on this computer. Nothing was "
                             "changed. Ask IT for the address, or run 'medsnap demo' to try "
                             "MedSnap with demo colleagues.")
        return str(url).rstrip("/")

    def pinned_root(self, url: str) -> str:
        """The root fingerprint that ``url`` must present ("" when none is pinned yet). The
        demo's throwaway root (``demo_root_fingerprint``) is for the demo's own address only;
        any other address must present the hospital root pinned first (``root_fingerprint``,
        which the demo never touches), so trust on first use only where none ever was."""
        facts = self.read()
        if _is_demo_url(facts, url):
            return str(facts.get(DEMO_ROOT_KEY) or "")
        return str(facts.get("root_fingerprint") or "")

    def pin_kind(self, url: str) -> str:
        """Which pin ``pinned_root(url)`` reads: "demo" (the demo's throwaway root, for its
        own address only) or "hospital" (the first enrolment's or sign-in's)."""
        return "demo" if _is_demo_url(self.read(), url) else "hospital"

    def pin_root(self, url: str, fingerprint: str) -> None:
        """Trust ``fingerprint`` for ``url`` from now on: called once an enrolment or sign-in
        against ``url`` succeeded, never before. A hospital pin is never replaced. An endpoint
        other than the demo's takes the demo's place: this workstation then uses it (the demo
        colleagues' profiles keep their own address; the demo points it back at itself)."""
        facts = self.read()
        if _is_demo_url(facts, url):
            return  # the demo pinned its own root when it started
        # never replaced: one that differs was let through by IT's policy pin, which decides
        pinned = str(facts.get("root_fingerprint") or "")
        values: dict[str, object] = {} if pinned else {"root_fingerprint": fingerprint}
        if facts.get("demo"):
            values.update(endpoint_url=url.rstrip("/"), demo=False)
        if values:
            self.update(**values)

    def pin_demo(self, url: str, fingerprint: str) -> None:
        """Point this workstation at the demo at ``url`` whose root is ``fingerprint``, kept
        apart from the hospital pin. A file from before the two were apart holds the demo's
        root as ``root_fingerprint``: dropped only when it is provably this demo's root."""
        facts = self.read()
        values: dict[str, object] = {"endpoint_url": url.rstrip("/"), "demo": True,
                                     DEMO_URL_KEY: url.rstrip("/"), DEMO_ROOT_KEY: fingerprint}
        if facts.get("demo") and DEMO_ROOT_KEY not in facts and \
                facts.get("root_fingerprint") == fingerprint:
            values["root_fingerprint"] = ""
        self.update(**values)

    def profile(self, staff_id: str) -> Profile:
        if not _STAFF_ID.fullmatch(staff_id or ""):
            raise ProfileError(f"{staff_id!r} is not a staff id (letters, digits, . _ @ -).")
        return Profile(self.home / "profiles" / staff_id, staff_id)

    def current_profile(self, staff_id: str | None = None) -> Profile:
        chosen = staff_id or os.environ.get("MEDSNAP_STAFF_ID") or self.read().get("current")
        if not chosen:
            from medsnap.messaging.errors import NotSignedIn

            raise NotSignedIn("Nobody has signed in on this computer yet. Run 'medsnap signin "
                              "STAFF_ID' (or 'medsnap enrol CODE' with a code from IT).")
        profile = self.profile(str(chosen))
        if not profile.exists():
            from medsnap.messaging.errors import NotSignedIn

            raise NotSignedIn(f"{chosen} has not signed in on this computer. Run 'medsnap "
                              f"signin {chosen}' first.")
        return profile


def configured_endpoint(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(address, who set it) of an endpoint chosen on purpose: MEDSNAP_ENDPOINT, else the
    admin policy's endpoint_url; ("", "") when neither is set, and only then may the
    window offer (or start again) the demo, which is the default with nothing configured."""
    environ = os.environ if environ is None else environ
    if environ.get(ENDPOINT_ENV):
        return environ[ENDPOINT_ENV].rstrip("/"), ENDPOINT_ENV
    policy = _policy("endpoint_url")
    return (policy.rstrip("/"), "IT's policy (endpoint_url)") if policy else ("", "")


def _same_url(one: str, other: str) -> bool:
    return one.rstrip("/") == other.rstrip("/")


def _is_demo_url(facts: Mapping[str, object], url: str) -> bool:
    demo_url = str(facts.get(DEMO_URL_KEY) or "")
    return bool(demo_url) and _same_url(demo_url, url)


def _policy(key: str) -> str:
    """The admin-configured value (empty when none); the config package owns the sources."""
    try:
        from medsnap.config import load_config

        return str(load_config()[key] or "")
    except Exception:  # a broken policy source is reported by the config package itself
        return ""


@dataclass(frozen=True)
class Profile:
    folder: Path
    staff_id: str

    def exists(self) -> bool:
        return (self.folder / "profile.json").is_file()

    def create(self, **facts: object) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json_atomically(self.folder / "profile.json", {"staff_id": self.staff_id, **facts})

    def facts(self) -> dict:
        return _read_json(self.folder / "profile.json")

    def update(self, **facts: object) -> None:
        current = self.facts()
        current.update(facts)
        write_json_atomically(self.folder / "profile.json", current)

    def root_pem(self) -> bytes:
        pem = self.facts().get("root_pem")
        if not pem:
            raise ProfileError("This profile has no pinned hospital root. Sign in again.")
        return str(pem).encode("ascii")

    @property
    def outbox_path(self) -> Path:
        return self.folder / "outbox.db"

    @property
    def inbox_path(self) -> Path:
        return self.folder / "inbox.db"

    @property
    def replay_path(self) -> Path:
        return self.folder / "replay.db"

    @property
    def audit_path(self) -> Path:
        return self.folder / "audit.jsonl"

    @property
    def drafts_folder(self) -> Path:
        return self.folder / "drafts"
