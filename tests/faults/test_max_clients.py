"""--max-clients N (the event-loop servers: selectors, generator, asyncio): the N+1-th client is closed at once.

The server says so on stderr, keeps serving the N it has, and takes a new client as soon as one
of them leaves. A refused client reads the end of the stream, not a reset, even if it sent its
request before the server took it: closing a socket with unread bytes would send RST (RFC 1122,
4.2.2.13), so the servers refuse with cli.refuse. The option changes nothing else: the server
still listens on 127.0.0.1 unless --host says otherwise.
"""

import contextlib
import os
import signal
import socket

import psutil
import pytest

from tests.faults.helpers import Server, connect, echo, settled_fds, wait_for

LIMITED = ["selectors_echo_server.py", "generator_echo_server.py", "asyncio_echo_server.py",
           "asyncio_streams_echo_server.py", "asyncio_protocol_echo_server.py"]
LIMIT = 3
AT_ONCE = 5.0  # generous: "at once" means not left hanging in the backlog


def how_closed(sock: socket.socket) -> str:
    """How the server ends the connection within AT_ONCE seconds: "EOF", "reset", "data" or "open"."""
    sock.settimeout(AT_ONCE)
    try:
        return "EOF" if sock.recv(1) == b"" else "data"
    except ConnectionResetError:
        return "reset"
    except TimeoutError:
        return "open"


def connect_and_speak_first(server: Server) -> socket.socket:
    """A client whose request is already in the server's socket when the server accepts it.

    The server is stopped (SIGSTOP) while the client connects and sends: the kernel completes
    the handshake and keeps the bytes, and the server, resumed, accepts a connection with
    unread data in it.
    """
    process = psutil.Process(server.proc.pid)
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        assert wait_for(lambda: process.status() == psutil.STATUS_STOPPED, 5), "the server did not stop"
        sock = connect(server.address)
        sock.sendall(b"hello? ")
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    return sock


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", LIMITED, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_max_clients(name):
    with Server(name, "--max-clients", str(LIMIT)) as server, contextlib.ExitStack() as stack:
        assert server.address[0] == "127.0.0.1"
        served = [stack.enter_context(connect(server.address)) for _ in range(LIMIT)]
        for number, sock in enumerate(served):
            assert echo(sock, b"client %d" % number) == b"client %d" % number
        before = settled_fds(server)
        assert server.stderr_now() == ""

        with connect(server.address) as extra:
            closed = how_closed(extra)
            assert closed == "EOF", f"client {LIMIT + 1} with --max-clients {LIMIT}: {closed} instead of EOF"
        assert wait_for(lambda: server.stderr_now().endswith("\n"), 5), "the server did not say why it closed a client"
        lines = server.check_stderr_lines(at_most=1)
        assert lines and str(LIMIT) in lines[0], f"the line should name the limit: {lines}"
        assert wait_for(lambda: server.fds() == before, 5), "the refused client's socket is still open"

        with connect_and_speak_first(server) as talker:
            closed = how_closed(talker)
            assert closed == "EOF", f"a refused client that had sent its request got {closed} instead of EOF"
        assert wait_for(lambda: len(server.stderr_now().splitlines()) == 2, 5), "the second refusal was not said"
        assert wait_for(lambda: server.fds() == before, 5), "the second refused client's socket is still open"

        for number, sock in enumerate(served):
            assert echo(sock, b"still %d" % number) == b"still %d" % number
        served.pop().close()  # one leaves: there is room for one more
        assert wait_for(lambda: server.fds() == before - 1, 5)
        with connect(server.address) as newcomer:
            assert echo(newcomer, b"room again") == b"room again"
        server.check_stderr_lines(at_most=2)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", LIMITED, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_max_clients_listens_where_host_says(name):
    with Server(name, "--host", "127.0.0.2", "--max-clients", "1") as server:
        assert server.address[0] == "127.0.0.2"
        with connect(server.address) as sock:
            assert echo(sock, b"over there") == b"over there"
