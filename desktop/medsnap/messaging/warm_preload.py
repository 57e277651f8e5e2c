"""What the warm runner imports before it serves, and the check that forking stays safe.

The modules are those that ``send``, ``inbox``, ``outbox``, ``sync`` and ``open`` import on
their way (measured with ``python -X importtime``); a name that no longer exists is skipped
(the command then imports whatever replaced it itself, a little slower, never wrong).
Importing must leave no thread running and no file open: a child forked from the runner
would share them. ``preload`` says False when that is not so, and the runner does not serve.
``loaded_files`` is what the runner checks before each command: the MedSnap files it loaded
(and site-packages) unchanged on disk.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import threading

WARM_MODULES = (
    "medsnap.messaging.command_support", "medsnap.messaging.session",
    "medsnap.messaging.colleague_lookup", "medsnap.messaging.signin_steps",
    "medsnap.messaging.agent_client", "medsnap.messaging.compose",
    "medsnap.messaging.outbox", "medsnap.messaging.sync", "medsnap.messaging.transport",
    "medsnap.messaging.inbox", "medsnap.messaging.inbox_arrival",
    "medsnap.messaging.inbox_preview", "medsnap.messaging.inbox_revocation",
    "medsnap.messaging.inbox_rows",
    "medsnap.messaging.letter_store", "medsnap.messaging.sent_notes",
    "medsnap.messaging.audit", "medsnap.messaging.audit_head",
    "medsnap.exporting", "medsnap.files", "medsnap.config",
    "medsnap.imaging.loading", "medsnap.imaging.encoding", "medsnap.imaging.png_writer",
    "medsnap.imaging.identifying", "medsnap.imaging.metadata.png_streamed",
    "medsnap.imaging.metadata.png_pixels",
    "medsnap.crypto.letter", "medsnap.crypto.letter_pack", "medsnap.crypto.letter_unpack",
    "medsnap.crypto.certificates", "medsnap.crypto.validation", "medsnap.crypto.replay",
    "medsnap.crypto.safety_number", "medsnap.crypto.keystore_unlocked",
    "medsnap.cli.record_options", "medsnap.cli.identifiable_check", "medsnap.cli.refusals",
    "medsnap.cli.export",
    "medsnap_endpoint.client", "medsnap_endpoint.http_pool", "medsnap_endpoint.request_signing",
    "medsnap.messaging.warm_child", "medsnap.messaging.warm_client",
    "medsnap.messaging.warm_control",  # a child asks whether its clinician's agent answers
    "medsnap.config.policy_rules",
    "cryptography.hazmat.backends.openssl.backend",
    "encodings.idna",  # host names in http.client
)


def preload() -> bool:
    """Import what the served commands use; False if that left a thread or a file open."""
    from medsnap.cli import COMMANDS, WARM_COMMANDS, build_parser

    threads, fds = threading.active_count(), open_descriptors()
    for name in [f"medsnap.cli.{COMMANDS[command]}" for command in WARM_COMMANDS] + list(
            WARM_MODULES):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module renamed or broken: the command reports it
            continue
    try:
        from PIL import Image

        Image.preinit()  # the common formats' plugins, loaded on the first open otherwise
        for command in WARM_COMMANDS:  # argparse's first use (gettext look-ups): ~4 ms
            build_parser(command)
    except Exception:  # noqa: BLE001
        pass
    gc.collect()
    gc.freeze()  # children share these objects' pages instead of copying them on every GC
    return threading.active_count() == threads and open_descriptors() <= fds


def open_descriptors() -> set[int]:
    """This process's open file descriptors (Linux and macOS list them; elsewhere none)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found = set()
        for name in names:
            fd = int(name)
            try:
                os.fstat(fd)  # the listing's own descriptor is gone by now
            except OSError:
                continue
            found.add(fd)
        return found
    return set()


def loaded_files(paths: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """(mtime, size) of the MedSnap modules loaded here and of the site-packages folders
    (installing or upgrading a package there changes the folder)."""
    if paths is None:
        import sysconfig

        paths = [module.__file__ for name, module in list(sys.modules.items())
                 if name.split(".")[0] in ("medsnap", "medsnap_endpoint")
                 and getattr(module, "__file__", None)]
        paths += sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    found = {}
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        found[path] = (info.st_mtime_ns, info.st_size)
    return found
