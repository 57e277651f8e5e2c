"""The `medsnap` command hands its environment and its terminal only to this user's own runner
(review: it trusted whatever answered at the socket; with XDG_RUNTIME_DIR somewhere shared,
another user could have read MEDSNAP_PASSPHRASE and faked a successful send), and never a
passphrase in its environment (that would stay in the long-lived runner's memory)."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from medsnap.messaging import warm_client, warm_wire


@pytest.fixture
def fake_runner(tmp_path, monkeypatch):
    """A socket where the runner's would be, counting who connects (it refuses everything)."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(warm_wire.OFF_ENV, raising=False)
    monkeypatch.delenv("MEDSNAP_PASSPHRASE", raising=False)
    path = warm_wire.runner_socket_path(warm_wire.medsnap_home_text())
    os.makedirs(os.path.dirname(path), mode=0o700)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    connections: list[int] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connections.append(1)
            try:
                warm_wire.receive_frame(connection, max_fds=3)
                warm_wire.send_frame(connection, {"started": False})
            except (OSError, ValueError):
                pass
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield os.path.dirname(path), connections
    server.close()


@pytest.mark.skipif(not warm_wire.SUPPORTED, reason="no warm runner on this platform")
def test_only_a_private_folder_of_this_user_is_trusted(fake_runner):
    folder, connections = fake_runner
    assert warm_client.run_warm(["outbox"]) is None and connections == [1]  # asked: ours
    os.chmod(folder, 0o755)  # others may enter: whoever answers there may not be us
    assert warm_client.run_warm(["outbox"]) is None and connections == [1]
    os.chmod(folder, 0o700)


@pytest.mark.skipif(not warm_wire.SUPPORTED, reason="no warm runner on this platform")
def test_a_passphrase_in_the_environment_runs_cold(fake_runner, monkeypatch):
    _folder, connections = fake_runner
    monkeypatch.setenv("MEDSNAP_PASSPHRASE", "copper lantern drifts 42 north")
    assert warm_client.run_warm(["outbox"]) is None and connections == []


def test_the_peer_check_says_who_answered():
    left, right = socket.socketpair()
    try:
        assert warm_wire.peer_is_me(left) is hasattr(socket, "SO_PEERCRED")
    finally:
        left.close()
        right.close()
