"""`medsnap age` and `medsnap keygen` against the reference age / age-keygen commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from age_peer import age, age_keygen, run_age_with_tty
from medsnap.crypto import age as ours

pytestmark = pytest.mark.interop


def medsnap(*args: str | Path, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "medsnap", *map(str, args)],
        input=stdin, capture_output=True, timeout=120, env={**os.environ, **(env or {})},
        start_new_session=True,  # no controlling terminal, so a passphrase prompt cannot wait forever
    )


def test_medsnap_encrypts_for_age_keygen_key(tmp_path):
    key_file, recipient = age_keygen(tmp_path)
    plaintext = os.urandom(300_000)
    (tmp_path / "in.bin").write_bytes(plaintext)
    done = medsnap("age", "-e", "-r", recipient, "-o", tmp_path / "out.age", tmp_path / "in.bin")
    assert done.returncode == 0, done.stderr
    result = age("-d", "-i", key_file, tmp_path / "out.age")
    assert result.returncode == 0 and result.stdout == plaintext


def test_medsnap_decrypts_age_output_via_stdin_stdout(tmp_path):
    key_file, recipient = age_keygen(tmp_path)
    plaintext = os.urandom(70_000)
    sealed = age("-r", recipient, "-a", stdin=plaintext).stdout
    done = medsnap("age", "--decrypt", "-i", key_file, stdin=sealed)
    assert done.returncode == 0, done.stderr
    assert done.stdout == plaintext


def test_keygen_file_works_with_age(tmp_path):
    done = medsnap("keygen", "-o", tmp_path / "mine.txt")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "mine.txt").read_text()
    lines = text.splitlines()
    assert lines[0].startswith("# created: ") and lines[2].startswith("AGE-SECRET-KEY-1")
    assert (tmp_path / "mine.txt").stat().st_mode & 0o777 == 0o600
    recipient = subprocess.run(["age-keygen", "-y", str(tmp_path / "mine.txt")], capture_output=True).stdout.decode().strip()
    assert lines[1] == f"# public key: {recipient}"
    assert done.stderr.decode().strip() == f"Public key: {recipient}"
    assert medsnap("keygen", "-y", tmp_path / "mine.txt").stdout.decode().strip() == recipient
    sealed = age("-r", recipient, stdin=b"ward round notes").stdout
    (tmp_path / "m.age").write_bytes(sealed)
    assert medsnap("age", "-d", "-i", tmp_path / "mine.txt", tmp_path / "m.age").stdout == b"ward round notes"
    again = medsnap("keygen", "-o", tmp_path / "mine.txt")
    assert again.returncode == 6 and b"already exists" in again.stderr
    assert (tmp_path / "mine.txt").read_text() == text


def test_keygen_y_matches_age_keygen(tmp_path):
    key_file, recipient = age_keygen(tmp_path)
    assert medsnap("keygen", "-y", key_file).stdout.decode().strip() == recipient
    assert medsnap("keygen", "-y", stdin=key_file.read_bytes()).stdout.decode().strip() == recipient


def test_recipients_file_several_recipients_and_armor(tmp_path):
    keys = [age_keygen(tmp_path, f"k{n}.txt") for n in range(3)]
    (tmp_path / "team.txt").write_text("# the team\n\n" + "\n".join(r for _, r in keys[:2]) + "\n")
    plaintext = os.urandom(130_000)
    done = medsnap("age", "-R", tmp_path / "team.txt", "-r", keys[2][1], "-a", stdin=plaintext)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    for key_file, _ in keys:
        assert age("-d", "-i", key_file, stdin=done.stdout).stdout == plaintext


def test_passphrase_from_environment_to_age_and_back(tmp_path):
    plaintext = os.urandom(66_000)
    (tmp_path / "in.bin").write_bytes(plaintext)
    env = {"MEDSNAP_PASSPHRASE": "night shift 4"}
    done = medsnap("age", "-p", "-o", tmp_path / "p.age", tmp_path / "in.bin", env=env)
    assert done.returncode == 0, done.stderr
    status, transcript = run_age_with_tty(["-d", "-o", str(tmp_path / "p.out"), str(tmp_path / "p.age")], "night shift 4")
    assert status == 0, transcript
    assert (tmp_path / "p.out").read_bytes() == plaintext

    status, transcript = run_age_with_tty(["-p", "-o", str(tmp_path / "q.age"), str(tmp_path / "in.bin")], "night shift 4")
    assert status == 0, transcript
    assert medsnap("age", "-d", tmp_path / "q.age", env=env).stdout == plaintext
    wrong = medsnap("age", "-d", "-o", tmp_path / "q.out", tmp_path / "q.age", env={"MEDSNAP_PASSPHRASE": "nope"})
    assert wrong.returncode == 6 and b"not encrypted for any" in wrong.stderr
    assert not (tmp_path / "q.out").exists()


def test_errors_are_messages_not_tracebacks(tmp_path):
    key_file, recipient = age_keygen(tmp_path)
    sealed = age("-r", recipient, stdin=os.urandom(100_000)).stdout
    (tmp_path / "cut.age").write_bytes(sealed[:-10])
    done = medsnap("age", "-d", "-i", key_file, "-o", tmp_path / "cut.out", tmp_path / "cut.age")
    assert done.returncode == 6
    assert b"damaged or incomplete" in done.stderr and b"Traceback" not in done.stderr
    assert not (tmp_path / "cut.out").exists()  # partial plaintext is never left behind
    bad_key = medsnap("age", "-r", "age1notakey", stdin=b"x")
    assert bad_key.returncode == 6 and b"The key is not valid" in bad_key.stderr
    no_recipient = medsnap("age", "-e", stdin=b"x")
    assert no_recipient.returncode == 6 and b"at least one" in no_recipient.stderr
    forgot_d = medsnap("age", "-i", key_file, stdin=sealed)
    assert forgot_d.returncode == 6 and b"-i needs -d" in forgot_d.stderr
    unwritable = medsnap("age", "-r", recipient, "-o", tmp_path / "missing-dir" / "x.age", stdin=b"x")
    assert unwritable.returncode == 5 and b"could not be created" in unwritable.stderr
    keys_not_passphrase = medsnap("age", "-d", stdin=sealed, env={"MEDSNAP_PASSPHRASE": ""})
    assert keys_not_passphrase.returncode == 6 and b"give -i KEYFILE" in keys_not_passphrase.stderr
    (tmp_path / "in.txt").write_bytes(b"x")
    status, transcript = run_age_with_tty(["-p", "-o", str(tmp_path / "p.age"), str(tmp_path / "in.txt")], "pw")
    assert status == 0, transcript
    no_tty = medsnap("age", "-d", tmp_path / "p.age", env={"MEDSNAP_PASSPHRASE": ""})
    assert no_tty.returncode == 6 and b"MEDSNAP_PASSPHRASE" in no_tty.stderr


def test_cli_streams_large_input_in_flat_memory(tmp_path):
    identity = ours.X25519Identity.generate()
    (tmp_path / "key.txt").write_text(ours.identity_file_text(identity))
    size = 64 * 1024 * 1024
    with open(tmp_path / "big.bin", "wb") as handle:
        handle.truncate(size)
    # VmHWM is this process's own peak (ru_maxrss would include the forking pytest parent).
    code = (
        "import sys; from medsnap.cli import main; rc = main(sys.argv[1:]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "print(hwm.split()[1], file=sys.stderr); sys.exit(rc)"
    )
    enc = subprocess.run([sys.executable, "-c", code, "age", "-r", identity.recipient().to_string(),
                          "-o", str(tmp_path / "big.age"), str(tmp_path / "big.bin")], capture_output=True, timeout=120)
    assert enc.returncode == 0, enc.stderr
    dec = subprocess.run([sys.executable, "-c", code, "age", "-d", "-i", str(tmp_path / "key.txt"),
                          "-o", str(tmp_path / "big.out"), str(tmp_path / "big.age")], capture_output=True, timeout=120)
    assert dec.returncode == 0, dec.stderr
    assert (tmp_path / "big.out").stat().st_size == size
    for run in (enc, dec):
        peak_kib = int(run.stderr.decode().split()[-1])
        assert peak_kib < 48 * 1024, f"peak RSS {peak_kib} KiB for a 64 MiB file"
