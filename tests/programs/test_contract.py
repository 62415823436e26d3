"""The command-line contract every server of code/ keeps (DESIGN.md, "Programs in code/")."""

import os
import signal
import socket
import subprocess
import sys
import threading

import pytest

from tests.programs.conftest import SERVERS
from tests.programs.server_process import CODE, STOP_WITHIN, ServerProcess, connect, python, recv_exactly


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


def test_half_close_gets_whole_echo_then_eof(server):
    payload = os.urandom(256 * 1024)
    with connect(server.address) as sock:
        writer = threading.Thread(target=lambda: (sock.sendall(payload), sock.shutdown(socket.SHUT_WR)))
        writer.start()
        received = bytearray()
        while chunk := sock.recv(1 << 16):
            received += chunk
        writer.join()
    assert bytes(received) == payload


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_cleanly(server, sig):
    # A connected client and one in the middle of an echo: the server must still exit at once.
    with connect(server.address) as idle, connect(server.address) as busy:
        busy.sendall(b"x" * 1000)
        status, stderr, took = server.stop(sig)
    assert status == 0, stderr
    assert stderr == "", f"a clean exit prints nothing on stderr, got:\n{stderr}"
    assert took < STOP_WITHIN


@pytest.mark.parametrize("name", SERVERS)
def test_port_taken_is_one_clear_line(name):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = python(str(CODE / name), "--port", str(port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=STOP_WITHIN * 2)
    assert proc.returncode == 1
    lines = err.decode().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], err.decode()
    assert "Traceback" not in err.decode() and out == b""


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


def test_reset_client_does_not_stop_the_server(server):
    victim = connect(server.address)
    victim.sendall(b"half a messa")
    victim.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    victim.close()  # linger 0: the kernel sends RST
    with connect(server.address) as sock:
        sock.sendall(b"still here")
        assert recv_exactly(sock, 10) == b"still here"
