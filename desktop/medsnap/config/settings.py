"""Every MedSnap setting, declared once: key, type, default, validation, label, description.

Keys are permanent strings (they are registry value names, policy file keys, QSettings keys
and ADMX value names at once): add new settings at the BOTTOM, never rename one.
Everything else (the policy templates, the admin guide's table, the settings dialog) is
derived from ``SETTINGS``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

SettingValue = str | int | bool

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _to_bool(raw: object) -> bool:
    # Registry DWORDs arrive as 0/1, QSettings often as "true"/"false", TOML as booleans.
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return raw.strip().lower() in _TRUE_WORDS
    raise ValueError(f"expected true or false (or 1 or 0), got {raw!r}")


def _to_int(raw: object) -> int:
    if isinstance(raw, bool):  # bool is an int subclass; True is not a number of minutes
        raise ValueError(f"expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", raw):
        return int(raw)
    raise ValueError(f"expected a whole number, got {raw!r}")


def _to_str(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    raise ValueError(f"expected text, got {raw!r}")


_CONVERTERS: dict[type, Callable[[object], SettingValue]] = {
    bool: _to_bool,
    int: _to_int,
    str: _to_str,
}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: str) -> str:
    """An https URL of the hospital endpoint; plain http only to this machine (tests, demo)."""
    if url == "":
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"expected an https:// address such as https://medsnap.example.nhs.uk, got {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"the endpoint must use https:// (plain http is allowed only to this computer), got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"the endpoint address must not carry a user name, query or fragment, got {url!r}")
    return url.rstrip("/")


def check_fingerprint(text: str) -> str:
    """SHA-256 of the root certificate (DER) as 64 hex digits; colons and spaces are tolerated."""
    if text == "":
        return text
    digits = re.sub(r"[\s:]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise ValueError(f"expected the 64 hex digits of a SHA-256 fingerprint, got {text!r}")
    return digits


@dataclass(frozen=True)
class Setting:
    """One setting: everything a source, the settings dialog and the policy templates need."""

    key: str
    type: type
    default: SettingValue
    label: str
    description: str
    minimum: int | None = None
    maximum: int | None = None
    check: Callable[[str], str] | None = None
    #: decided by IT only (policy, machine defaults): a user's stored value is ignored
    admin_only: bool = False

    def parse(self, raw: object) -> SettingValue:
        """Convert a raw value from any source to this setting's type; ValueError if invalid."""
        value = _CONVERTERS[self.type](raw)
        if isinstance(value, int) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{value} is below the minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"{value} is above the maximum {self.maximum}")
        if self.check is not None and isinstance(value, str):
            value = self.check(value)
        return value

    def to_text(self, value: SettingValue) -> str:
        """The value as stored in text stores (QSettings, policy file examples)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


# Add at the BOTTOM; never rename a key (STYLE.md #6).
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "endpoint_url", str, "", "Hospital endpoint",
        "Address of the hospital MedSnap endpoint (https://...); empty runs the built-in demo.",
        check=check_endpoint_url, admin_only=True,
    ),
    Setting(
        "root_fingerprint", str, "", "Pinned root certificate",
        "SHA-256 fingerprint (64 hex digits) of the hospital root certificate the app trusts.",
        check=check_fingerprint, admin_only=True,
    ),
    Setting(
        "lock_timeout_minutes", int, 5, "Lock after idle (minutes)",
        "Minutes without input after which the app locks and forgets unlocked keys and images.",
        minimum=1, maximum=120,
    ),
    Setting(
        "retention_days", int, 30, "Keep messages (days)",
        "Days that received and sent messages are kept on this computer before deletion.",
        minimum=1, maximum=3650,
    ),
    Setting(
        "allow_copy", bool, False, "Allow copy to clipboard",
        "Whether a clinician may copy an image to the clipboard (it leaves MedSnap's protection).",
    ),
    Setting(
        "allow_save_copy", bool, True, "Allow saving a copy for the record",
        "Whether a clinician may save an audited clean copy of an image to a file.",
    ),
    Setting(
        "jpeg_quality", int, 90, "JPEG quality",
        "Quality (50-95) used when an image is sent or saved as JPEG. Above 95 JPEG files grow"
        " with no visible gain, so the exporter stops there.",
        minimum=50, maximum=95,
    ),
    Setting(
        "max_megapixels", int, 100, "Largest image (megapixels)",
        "Images larger than this many megapixels are refused rather than opened.",
        minimum=1, maximum=1000,
    ),
)

SETTINGS_BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
