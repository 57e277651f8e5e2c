"""Enrol, sign in, unlock and lock: the clinician's keys in memory for one session.

* ``enrol``: keys are generated here, the endpoint issues certificates for them against a
  one-time code, the keys are wrapped with the passphrase into the OS keyring, and the same
  wrapped file is deposited at the endpoint.
* ``sign_in``: on a workstation that has never seen the clinician, the wrapped file is fetched
  from the endpoint and imported only once the passphrase has opened it.
* ``Session.lock``: drops the keys, the signing client and every decrypted letter it handed out.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509

from medsnap.crypto.certificates import ClinicianCertificates
from medsnap.crypto.clinician_keys import ClinicianKeys
from medsnap.crypto.identity import identity_from_certificate
from medsnap.crypto.keystore_unlocked import UnlockedKeys
from medsnap.crypto.letter_model import UnlockedClinician
from medsnap.messaging.audit import AuditLog
from medsnap.messaging.colleague_lookup import kept_match, look_up
from medsnap.messaging.errors import EndpointUnreachable, NotSignedIn, ProfileError
from medsnap.messaging.profile import Profile, Workstation, _policy
from medsnap.messaging.signin_steps import check_root, device_keys, fetch_key_file
from medsnap.messaging.transport import Transport

if TYPE_CHECKING:  # the key store imports the OS keyring: only sign-in and enrolment need it
    from medsnap.crypto.keystore import KeyStore


@dataclass
class Session:
    """An unlocked clinician: keys in memory, a signing client, the profile's files."""

    workstation: Workstation
    profile: Profile
    keys: UnlockedKeys
    transport: Transport
    audit: AuditLog
    _clinician: UnlockedClinician | None = field(default=None, repr=False)
    _last_activity: float = field(default_factory=time.monotonic, repr=False)
    #: the key agent connection when the keys are held by ``medsnap signin``'s agent
    agent: object | None = field(default=None, repr=False)
    #: the window's worker threads read ``clinician`` while its own thread may lock: without
    #: this a worker could put the keys back just after the lock dropped them (review)
    _keys_guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: the window's user choices (Edit > Settings) where policy leaves settings free, such
    #: as retention_days; the command line has none (docs/ADMIN.md): policy, then default
    user_choices: Mapping[str, object] = field(default_factory=dict, repr=False)

    @property
    def staff_id(self) -> str:
        return self.profile.staff_id

    @property
    def clinician(self) -> UnlockedClinician:
        with self._keys_guard:
            if self.keys.is_locked:
                raise NotSignedIn("MedSnap is locked. Unlock it with your passphrase to "
                                  "continue.")
            if self._clinician is None:
                self._clinician = UnlockedClinician.from_keys(self.keys.keys)
            return self._clinician

    @property
    def root(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.profile.root_pem())

    def crl(self, refresh: bool = True) -> x509.CertificateRevocationList | None:
        """The newest CRL: fetched when online, else the copy kept from the last fetch.

        ``refresh=False`` takes the kept copy, and fetches one only when none is kept yet
        (the first send on a new profile), so no letter is sealed unchecked for lack of it.
        """
        cache = self.profile.folder / "crl.pem"
        if refresh or not cache.exists():
            try:
                pem = self.transport.call(self.transport.client.crl_pem)
                cache.write_bytes(pem)
            except EndpointUnreachable:
                pass
        return x509.load_pem_x509_crl(cache.read_bytes()) if cache.exists() else None

    def known_colleagues(self) -> dict[str, dict]:
        """Staff id -> directory entry of the colleagues sent to from this computer: kept so
        that a letter can be sealed to them while the endpoint is unreachable."""
        try:
            return json.loads((self.profile.folder / "contacts.json").read_text())
        except (FileNotFoundError, ValueError):  # none yet, or unreadable: looked up again
            return {}

    def colleague(self, name_or_id: str) -> ClinicianCertificates:
        """A colleague's certificates: from the directory when online, else the local cache."""
        contacts = self.known_colleagues()
        try:
            entry = self._look_up(name_or_id)
        except EndpointUnreachable as error:
            entry = kept_match(contacts, name_or_id)
            if entry is None:  # nothing can be sealed to them, so nothing is queued
                raise EndpointUnreachable(
                    f"Nothing was sent or queued: {name_or_id} cannot be looked up while the "
                    "endpoint is unreachable (not sent to from this computer before). "
                    f"{error.message} Try again when the network is back.") from None
        return self.keep_colleague(entry, contacts)

    def keep_colleague(self, entry: dict, contacts: dict | None = None) -> ClinicianCertificates:
        """A directory entry's certificates, kept for sealing offline; no network call, so a
        letter to a colleague picked from a list loaded earlier is queued at once (the seal
        still checks the chain and the kept CRL; the endpoint refuses a revoked recipient)."""
        contacts = self.known_colleagues() if contacts is None else contacts
        if contacts.get(entry["staff_id"]) != entry:  # new, or new keys: kept for offline
            from medsnap.files import replace_atomically  # tempfile: only when writing

            contacts[entry["staff_id"]] = entry
            replace_atomically(self.profile.folder / "contacts.json",
                               json.dumps(contacts, indent=1, sort_keys=True).encode())
        return ClinicianCertificates.from_pem(
            (entry["signing_certificate"] + entry["encryption_certificate"]).encode("ascii"))

    def _look_up(self, name_or_id: str) -> dict:
        return look_up(self.transport, name_or_id)

    def touch(self, now: float | None = None) -> None:
        """The clinician did something: restart the idle clock."""
        self._last_activity = time.monotonic() if now is None else now

    def lock_if_idle(self, timeout_minutes: int | None = None,
                     now: float | None = None) -> bool:
        """Lock after ``timeout_minutes`` (policy ``lock_timeout_minutes``) without activity."""
        if timeout_minutes is None:
            timeout_minutes = int(_policy("lock_timeout_minutes") or 5)
        now = time.monotonic() if now is None else now
        if not self.keys.is_locked and now - self._last_activity >= timeout_minutes * 60:
            self.lock()
            self.audit.record("lock", staff_id=self.staff_id, why="idle")
            return True
        return False

    def lock(self) -> None:
        """Forget the keys and the signing client (see UnlockedKeys.lock for the limits)."""
        with self._keys_guard:
            self.keys.lock()
            self._clinician = None
        self.transport.set_keys(None)
        if self.agent is not None:  # this process lets go; the agent itself keeps the keys
            self.agent.close()  # type: ignore[attr-defined]
            self.agent = None

    def close(self) -> None:
        self.lock()
        self.transport.close()


def _open(workstation: Workstation, profile: Profile, keys: UnlockedKeys,
          url: str, keystore: KeyStore | None = None, head=None) -> Session:
    from medsnap.messaging.audit_head import audit_head_for

    transport = Transport(url, device_keys(keys.keys))
    head = head or audit_head_for(workstation, profile.staff_id, keystore)
    return Session(workstation, profile, keys, transport, AuditLog(profile.audit_path, head))


def enrol(workstation: Workstation, staff_id: str, code: str, passphrase: str, *,
          endpoint_url: str | None = None, keystore: KeyStore | None = None) -> Session:
    from medsnap.crypto.keystore import KeyStoreError, check_passphrase_strength
    from medsnap.messaging.demo_keyring import keystore_for
    from medsnap.messaging.enrol_keyring import check_keyring_can_store, keys_not_kept

    keystore = keystore or keystore_for(workstation, staff_id)
    check_passphrase_strength(passphrase, staff_id)  # before the one-time code is spent
    check_keyring_can_store(keystore, staff_id)  # likewise: else the keys would go nowhere
    url = workstation.endpoint_url(endpoint_url)
    keys = ClinicianKeys.generate()
    transport = Transport(url)
    try:
        # the root is checked against the pin before the one-time code is spent
        seen = check_root(workstation, transport.call(transport.client.root_pem), url)
        issued = transport.call(transport.client.enrol, staff_id, code, device_keys(keys))
    finally:
        transport.close()
    root_pem = issued["root_certificate"].encode("ascii")
    if check_root(workstation, root_pem, url) != seen:  # not the root it showed first
        raise ProfileError(f"The endpoint at {url} presented two different root "
                           "certificates. Nothing was kept on this computer. Tell IT at once.")
    certificates = (issued["signing_certificate"] + issued["encryption_certificate"]).encode()
    keys = keys.with_certificates(certificates)
    try:
        keystore.create(staff_id, passphrase, keys, replace=True)
    except KeyStoreError as error:  # after the check above: rare, but the code is spent
        raise keys_not_kept(staff_id, url, error) from None
    profile = workstation.profile(staff_id)
    me = identity_from_certificate(ClinicianCertificates.from_pem(certificates).signing)
    profile.create(display_name=me.display_name, email=me.email, endpoint_url=url,
                   root_pem=root_pem.decode("ascii"), key_file_deposited=False)
    workstation.pin_root(url, seen)  # enrolled: only now trusted (and used, after a demo)
    workstation.update(current=staff_id)
    session = _open(workstation, profile, UnlockedKeys(staff_id, keys), url, keystore)
    session.audit.record("enrol", staff_id=staff_id, endpoint=url)
    deposit_key_file(session, keystore)
    return session


def deposit_key_file(session: Session, keystore: KeyStore) -> bool:
    """Deposit the wrapped key file; False (retried at the next sync) when offline."""
    try:
        session.transport.call(session.transport.client.deposit_key_file,
                               keystore.export_wrapped(session.staff_id))
    except EndpointUnreachable:
        return False
    session.profile.update(key_file_deposited=True)
    return True


def session_from_agent(workstation: Workstation, profile: Profile, agent: object, *,
                       endpoint_url: str | None = None) -> Session:
    """A session whose private-key operations are done by the running key agent."""
    from medsnap.messaging.agent_client import agent_keys
    from medsnap.messaging.audit_head import AgentAuditHead

    url = endpoint_url or profile.facts().get("endpoint_url") or \
        workstation.endpoint_url(endpoint_url)
    session = _open(workstation, profile, UnlockedKeys(profile.staff_id, agent_keys(agent)),
                    url, head=AgentAuditHead(agent, workstation, profile.staff_id))
    session.agent = agent
    return session


def sign_in(workstation: Workstation, staff_id: str, passphrase: str, *,
            endpoint_url: str | None = None, keystore: KeyStore | None = None,
            record: bool = True) -> Session:
    """Unlock ``staff_id``'s keys, fetching them from the endpoint if this is a new computer.

    ``record``: a real sign-in ('medsnap signin', the window's), audited, after which
    ``staff_id`` is this workstation's default clinician. False: a one-off command's unlock
    ('medsnap inbox --as ID' with a passphrase), which changes neither: on a shared login the
    next command must not quietly act as whoever last borrowed the keyboard."""
    from medsnap.messaging.demo_keyring import keystore_for

    keystore = keystore or keystore_for(workstation, staff_id)
    profile = workstation.profile(staff_id)
    url = endpoint_url or profile.facts().get("endpoint_url") or \
        workstation.endpoint_url(endpoint_url)
    fetched, seen = False, ""
    known_here = profile.exists()  # asked first: a stranger is named before the keyring
    if not known_here or not keystore.has(staff_id):
        transport = Transport(url)
        try:
            root_pem = transport.call(transport.client.root_pem)
            seen = check_root(workstation, root_pem, url)
            wrapped = None if known_here else fetch_key_file(transport, staff_id, url)
            if not keystore.has(staff_id):
                wrapped = wrapped or fetch_key_file(transport, staff_id, url)
                # opened with the passphrase before anything is stored
                keystore.import_wrapped(staff_id, wrapped, passphrase=passphrase, replace=True)
                fetched = True
        finally:
            transport.close()
        if not profile.exists():
            profile.create(endpoint_url=url, root_pem=root_pem.decode("ascii"),
                           key_file_deposited=True)
    keys = keystore.unlock(staff_id, passphrase)
    if seen:  # the passphrase opened the keys: only now is the root trusted
        workstation.pin_root(url, seen)
    certs = ClinicianCertificates.from_pem(keys.certificates_pem or b"")
    me = identity_from_certificate(certs.signing)
    profile.update(display_name=me.display_name, email=me.email)
    if record:
        workstation.update(current=staff_id)
    session = _open(workstation, profile, keys, url, keystore)
    if record:
        session.audit.record("signin", staff_id=staff_id, keys_fetched=fetched)
    if not profile.facts().get("key_file_deposited"):
        deposit_key_file(session, keystore)
    return session

