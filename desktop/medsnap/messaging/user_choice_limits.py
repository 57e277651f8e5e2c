"""How far the window's user choices (Edit > Settings) may move Lock after idle and Keep
messages. The choices are stored per computer account, and on a ward several clinicians share
one login: one person's choice is everyone's. So a choice may only make things safer for the
others - the lock only sooner, and no letter deleted before anyone has opened it.

* lock: the shorter of IT's policy (else the default) and the user's choice.
* retention: a policy value decides for every letter, as before. With no policy, the user's
  days apply to letters already opened; a letter nobody has opened yet is kept at least the
  default's days (the longer of the two). A letter's own signed expiry applies regardless.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LOCK_MINUTES = 5
DEFAULT_RETENTION_DAYS = 30


def _policy_and_choice(key: str, user: Mapping[str, object] | None) -> tuple[int, int | None,
                                                                            bool]:
    """(policy-or-default value, the user's valid choice or None, whether policy sets it)."""
    from medsnap.config import load_config
    from medsnap.config.loader import USER_SOURCE

    admin = load_config().entry(key)
    chosen = load_config(user or {}, sources=[]).entry(key)  # the user's, validated
    choice = int(chosen.value) if chosen.source == USER_SOURCE else None
    return int(admin.value), choice, admin.locked


def lock_timeout_minutes(user: Mapping[str, object] | None = None) -> int:
    """Minutes of idle time before the window locks: the user's choice only shortens it."""
    try:
        base, choice, _ = _policy_and_choice("lock_timeout_minutes", user)
    except Exception:  # an unreadable policy is reported by the config package itself
        return DEFAULT_LOCK_MINUTES
    return max(1, min(base, choice) if choice is not None else base)


def retention_days(user: Mapping[str, object] | None = None) -> tuple[int, int]:
    """(days an opened letter is kept, days a letter nobody opened yet is kept)."""
    try:
        base, choice, by_policy = _policy_and_choice("retention_days", user)
    except Exception:  # an unreadable policy is reported by the config package itself
        return DEFAULT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS
    if by_policy or choice is None:
        return base, base
    return choice, max(choice, base)
