"""``python -m medsnap.config``: print every setting in force, its source and whether it is
locked, without Qt. ``medsnap --show-config`` (medsnap.cli.show_config) is the admins' form:
it also names where it looked and the values the window's user choices change.
"""

from __future__ import annotations

import logging
import sys

from medsnap.config.loader import load_config


def show_config(stream=sys.stdout) -> int:
    # The problems are printed below; keep the logger's last-resort copy off the terminal.
    logging.getLogger("medsnap.config").addHandler(logging.NullHandler())
    config = load_config()
    rows = [(e.setting.key, repr(e.setting.to_text(e.value)), e.locked, e.source) for e in config]
    width = max(len(text) for _, text, _, _ in rows)
    for key, text, locked, source in rows:
        print(f"{key:22} {text:{width}}  {'locked' if locked else '      '}  {source}", file=stream)
    for problem in config.problems:
        print(f"warning: {problem}", file=stream)
    return 0


if __name__ == "__main__":
    from medsnap.closed_pipe import quiet_stdout

    quiet_stdout()  # the reader stopped early (| head -3): quietly, no traceback
    code = show_config(sys.stdout)  # (the quiet one, not the default bound at import)
    sys.stdout.flush()
    sys.exit(code)
