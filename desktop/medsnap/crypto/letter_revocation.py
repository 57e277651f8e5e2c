"""A sender revoked after their letter arrived: when the letter may still be opened.

A clinician who leaves, or whose certificates are re-issued, is revoked; the letters they sent
while they were entitled to are still clinical information. So a letter that this workstation
verified when it arrived, before the revocation date the hospital's CRL gives, still opens
(with a caution saying so). The time compared is the reader's own record of the arrival, never
the letter's signed ``issued_at``: whoever holds a stolen key can backdate that. And when the
CRL says the key was compromised (reason keyCompromise, or the CA's own key), or gives an
``invalidityDate`` before the arrival, an early arrival proves little: the letter is refused.
So is a revocation that gives no reason: only IT's word that the clinician left, changed
post or has new keys spares earlier letters (`admin revoke --reason left`), so a device
revoked in a hurry, without saying why, is treated as the worst case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509

#: CRL reasons under which no signature of the certificate's key is trusted, whenever it came
COMPROMISE_REASONS = frozenset({x509.ReasonFlags.key_compromise, x509.ReasonFlags.ca_compromise,
                                x509.ReasonFlags.aa_compromise})
#: the reasons that say the key itself was fine: a leaver, new keys, another post
SPARING_REASONS = frozenset({x509.ReasonFlags.cessation_of_operation.value,
                             x509.ReasonFlags.superseded.value,
                             x509.ReasonFlags.affiliation_changed.value})


@dataclass(frozen=True)
class SenderRevocation:
    """What the hospital's CRL says about the sender's signing certificate."""

    revoked_at: dt.datetime
    reason: str  # the RFC 5280 name ("unspecified" when the CRL gives none), a permanent string
    key_compromised: bool
    #: the CRL entry's invalidityDate: the key is suspect since then (None when not given)
    invalid_since: dt.datetime | None = None

    @property
    def cutoff(self) -> dt.datetime:
        """Letters that arrived before this may still be trusted (unless compromised)."""
        if self.invalid_since is not None and self.invalid_since < self.revoked_at:
            return self.invalid_since
        return self.revoked_at

    def spares(self, arrived_at: dt.datetime | None) -> bool:
        """Whether a letter verified here at ``arrived_at`` may still be opened."""
        return (arrived_at is not None and self.reason in SPARING_REASONS
                and not self.key_compromised and arrived_at < self.cutoff)


@dataclass(frozen=True)
class RevokedAfterArrival:
    """An opened letter whose sender was revoked after it had arrived and been verified."""

    arrived_at: dt.datetime  # this workstation's own record of verifying it
    revocation: SenderRevocation

    def caution(self, sender_name: str) -> str:
        """The viewer's plain-text caution."""
        return (f"Verified when it arrived on {_local(self.arrived_at)}; {sender_name}'s "
                f"certificate was revoked on {_local(self.revocation.revoked_at)}. "
                "It is shown because it arrived before the revocation; if its content "
                "surprises you, check with the sender another way.")


def revocation_of(crl: x509.CertificateRevocationList | None,
                  serial: int) -> SenderRevocation | None:
    """The CRL's entry for ``serial``, read; None when it is not listed (or there is no CRL).

    The caller has checked the CRL's signature and freshness (``validation.check_crl``).
    """
    if crl is None:
        return None
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    if entry is None:
        return None
    reason = x509.ReasonFlags.unspecified
    invalid_since = None
    for extension in entry.extensions:
        if isinstance(extension.value, x509.CRLReason):
            reason = extension.value.reason
        elif isinstance(extension.value, x509.InvalidityDate):
            invalid_since = extension.value.invalidity_date_utc
    return SenderRevocation(entry.revocation_date_utc, reason.value,
                            reason in COMPROMISE_REASONS, invalid_since)


def _local(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M")
