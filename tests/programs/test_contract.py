"""The command-line contract every server of code/ keeps (DESIGN.md, "Programs in code/").

What a server does under a fault (a reset or half-closing client, a signal mid-transfer, a port
already taken, ...) is tested in tests/faults/, one file per fault.
"""

import pytest

from tests.programs.conftest import SERVERS
from tests.programs.server_process import CODE, ServerProcess, connect, recv_exactly


def test_every_server_is_listed():
    assert sorted(p.name for p in CODE.glob("*_server.py")) == sorted(SERVERS)


def test_listens_on_loopback_by_default(server):
    host, port = server.address
    assert host == "127.0.0.1" and port > 0


def test_echoes_bytes_exactly(server):
    payload = bytes(range(256)) * 64 + "привет".encode()
    with connect(server.address) as sock:
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload


def test_concurrent_models_serve_clients_at_once(concurrent_server):
    # All clients connect first, then each is answered while the others stay connected.
    clients = [connect(concurrent_server.address) for _ in range(20)]
    try:
        for number, sock in enumerate(clients):
            sock.sendall(f"client {number}".encode())
        for number, sock in enumerate(clients):
            expected = f"client {number}".encode()
            assert recv_exactly(sock, len(expected)) == expected
    finally:
        for sock in clients:
            sock.close()


def test_blocking_server_serves_one_client_at_a_time():
    with ServerProcess("blocking_echo_server.py") as server:
        with connect(server.address) as first, connect(server.address, timeout=0.5) as second:
            first.sendall(b"first")
            assert recv_exactly(first, 5) == b"first"
            second.sendall(b"second")
            with pytest.raises(TimeoutError):
                second.recv(1)
            first.close()
            second.settimeout(5)
            assert recv_exactly(second, 6) == b"second"

