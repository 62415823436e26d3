"""--max-clients N (the selectors and asyncio servers): the N+1-th client is closed at once.

The server says so on stderr, keeps serving the N it has, and takes a new client as soon as one
of them leaves. The option changes nothing else: the server still listens on 127.0.0.1 unless
--host says otherwise.
"""

import contextlib
import socket

import pytest

from tests.faults.helpers import Server, connect, echo, settled_fds, wait_for

LIMITED = ["selectors_echo_server.py", "asyncio_echo_server.py", "asyncio_streams_echo_server.py"]
LIMIT = 3
AT_ONCE = 5.0  # generous: "at once" means not left hanging in the backlog


def closed_by_server(sock: socket.socket) -> bool:
    """True if the server closes the connection (EOF, or a reset) within AT_ONCE seconds."""
    sock.settimeout(AT_ONCE)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


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
            assert closed_by_server(extra), f"client {LIMIT + 1} was not closed with --max-clients {LIMIT}"
        assert wait_for(lambda: server.stderr_now().endswith("\n"), 5), "the server did not say why it closed a client"
        lines = server.check_stderr_lines(at_most=1)
        assert lines and str(LIMIT) in lines[0], f"the line should name the limit: {lines}"
        assert wait_for(lambda: server.fds() == before, 5), "the refused client's socket is still open"

        for number, sock in enumerate(served):
            assert echo(sock, b"still %d" % number) == b"still %d" % number
        served.pop().close()  # one leaves: there is room for one more
        assert wait_for(lambda: server.fds() == before - 1, 5)
        with connect(server.address) as newcomer:
            assert echo(newcomer, b"room again") == b"room again"
        server.check_stderr_lines(at_most=1)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", LIMITED, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_max_clients_listens_where_host_says(name):
    with Server(name, "--host", "127.0.0.2", "--max-clients", "1") as server:
        assert server.address[0] == "127.0.0.2"
        with connect(server.address) as sock:
            assert echo(sock, b"over there") == b"over there"
