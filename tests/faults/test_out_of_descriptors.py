"""Out of file descriptors: the server says so once, does not spin, and serves the rest later.

The server's descriptor limit is lowered from outside (prlimit) to a few above what it holds,
then more clients connect than fit. accept() fails with EMFILE; the connections that did not
fit wait in the kernel's queue and are served once earlier clients leave.
"""

import contextlib
import resource
import selectors
import socket
import time

import pytest

from tests.faults.helpers import Server, connect, settled_fds
from tests.programs.conftest import CONCURRENT

# The blocking server is left out: it holds one client at a time, so it never runs short.
# The busy loop polls without ever waiting, so it keeps a core busy out of descriptors or not.
SPINS_ANYWAY = {"nonblocking_echo_server.py"}
ROOM = 10  # descriptors left free under the lowered limit
CLIENTS = ROOM + ROOM // 2  # the last ones cannot get in until the first leave
SETTLE = 0.5  # seconds to let the server take whom it can (loopback: milliseconds are enough)
WATCH = 0.5  # seconds of watching the server's CPU while it is out of descriptors
SPINNING = 0.5  # share of a core while it waits: a server retrying accept() at once uses ~1


def message(number: int) -> bytes:
    return b"client %03d" % number


def echoed(clients: dict[int, socket.socket], seconds: float) -> set[int]:
    """The numbers of the clients whose whole echo arrives within seconds, each checked."""
    received = {number: b"" for number in clients}
    done = set()
    with selectors.DefaultSelector() as selector:
        for number, sock in clients.items():
            selector.register(sock, selectors.EVENT_READ, number)
        deadline = time.monotonic() + seconds
        while len(done) < len(clients) and (left := deadline - time.monotonic()) > 0:
            for key, _events in selector.select(left):
                number = key.data
                chunk = key.fileobj.recv(4096)
                assert chunk, f"the server closed client {number} instead of answering"
                received[number] += chunk
                if len(received[number]) >= len(message(number)):
                    assert received[number] == message(number), f"client {number} got {received[number]!r}"
                    done.add(number)
                    selector.unregister(key.fileobj)
    return done


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", CONCURRENT, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_out_of_descriptors(name):
    with Server(name) as server, contextlib.ExitStack() as stack:
        limit = settled_fds(server) + ROOM
        resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (limit, limit))
        clients = {number: stack.enter_context(connect(server.address)) for number in range(CLIENTS)}
        for number, sock in clients.items():
            sock.sendall(message(number))

        # Those that fit are served; then accept() fails, and the server says so, once.
        served = echoed(clients, SETTLE)
        assert served, f"{name} served nobody under a limit of {limit} descriptors"
        assert len(served) < CLIENTS, f"{name} served all {CLIENTS} clients: the limit did not bite"
        assert "Too many open files" in server.stderr_now(), (
            f"{name} did not say it ran out of descriptors; stderr: {server.stderr_now()!r}"
        )

        # Waiting for descriptors is not a busy loop (but for the busy loop), and the server is still there.
        before = server.cpu_seconds()
        time.sleep(WATCH)
        spent = server.cpu_seconds() - before
        if name not in SPINS_ANYWAY:
            assert spent < SPINNING * WATCH, f"{name} used {spent:.2f} s of CPU in {WATCH} s while out of descriptors"
        assert server.alive()
        server.check_stderr_lines(at_most=1)

        # As the served clients leave, the waiting ones get in, and their first message is echoed.
        waiting = {number: sock for number, sock in clients.items() if number not in served}
        for number in served:
            clients.pop(number).close()
        late = echoed(waiting, 10.0)
        assert late == set(waiting), f"{name} never served clients {sorted(set(waiting) - late)}"
        assert server.alive()
        server.check_stderr_lines(at_most=2)  # at most one more shortage while they got in
