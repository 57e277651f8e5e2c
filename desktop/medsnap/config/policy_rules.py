"""The settings the exporter and the command line obey, and who set them.

A value set by an admin source (policy file, Group Policy, machine defaults) is the hospital's
rule: the refusals it causes name the source, so a clinician knows to ask IT rather than
suspect the file or the app. The command line has no user preferences (those are the
window's), so there the order is policy, then the declared default.
"""

from __future__ import annotations

from medsnap.config.loader import Config, load_config
from medsnap.config.sources import policy_file_path
from medsnap.errors import ExportError, UsageError


def _config(config: Config | None) -> Config:
    return load_config() if config is None else config


def set_by_admin(config: Config, key: str) -> str | None:
    """Who set ``key`` in plain words, when an admin source did (the user cannot change it)."""
    entry = config.entry(key)
    if not entry.locked:
        return None
    if entry.source == "policy file":
        return f"your hospital's policy file ({policy_file_path()})"
    if entry.source == "Group Policy":
        return "your hospital's Group Policy"
    return f"this computer's settings from IT ({entry.source})"


def jpeg_quality(config: Config | None = None, asked: int | None = None) -> int:
    """The JPEG quality to encode with: ``asked`` (an explicit --quality), unless an admin
    fixed the quality, in which case a different ``asked`` is refused, not silently ignored."""
    config = _config(config)
    value = int(config["jpeg_quality"])
    if asked is None or asked == value:
        return value
    admin = set_by_admin(config, "jpeg_quality")
    if admin:
        raise UsageError(f"The JPEG quality is set to {value} by {admin}; --quality {asked} "
                         "is not allowed here. Nothing was written; leave out --quality (the "
                         f"copy is then written at quality {value}), or ask your IT "
                         "department to change jpeg_quality.")
    return asked


def max_pixels(config: Config | None = None) -> int:
    """The largest picture (width x height) to open; a PixelLimit naming the admin who set it."""
    from medsnap.imaging.picture import PixelLimit

    config = _config(config)
    pixels = int(config["max_megapixels"]) * 1_000_000
    admin = set_by_admin(config, "max_megapixels")
    return PixelLimit(pixels, admin) if admin else pixels


def require_save_copy_allowed(config: Config | None = None) -> None:
    """Refuse writing a copy of a picture to a file when saving copies is turned off."""
    config = _config(config)
    if config["allow_save_copy"]:
        return
    admin = set_by_admin(config, "allow_save_copy") or "the settings"
    raise ExportError("Saving a copy of an image to a file (allow_save_copy) is turned off by "
                      f"{admin}. Nothing was written. Send the image to a "
                      "colleague with 'medsnap send' instead, or ask your IT department if "
                      "you need copies saved.")
