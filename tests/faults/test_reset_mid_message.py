"""A client resets its connection in the middle of a message (SO_LINGER 0: RST instead of FIN).

The server says so in at most one short line, closes that client's socket and keeps serving the
others. Three moments: while the server waits to read the rest of the message; while it is stuck
writing an echo the client never reads (its buffers full, or its pending-output limit hit); and
before it has even accepted the connection: twenty clients send and reset while the server is
frozen (SIGSTOP), so it wakes up to twenty dead connections at once.
The blocking server has no "others" at that moment by design: the next client waits in the
backlog, and it must be served once the reset one is gone.
"""

import contextlib
import os
import signal

import pytest

from tests.faults.helpers import BLOCKING, connect, echo, fill, reset, settled_fds, wait_for


@pytest.mark.timeout(60)
@pytest.mark.parametrize("moment", ["server reading", "server writing", "still queued"])
def test_reset_mid_message(server, moment):
    with contextlib.ExitStack() as stack:
        others = []
        if server.name != BLOCKING:
            others = [stack.enter_context(connect(server.address)) for _ in range(2)]
            for number, other in enumerate(others):
                assert echo(other, f"other {number}".encode()) == f"other {number}".encode()
        before = settled_fds(server)
        stderr_offset = len(server.stderr_now())

        if moment == "still queued":
            reset_while_frozen(server, clients=20)
        else:
            reset_one(server, moment, before)

        assert wait_for(lambda: server.fds() == before, 10), (
            f"{server.name} still holds {server.fds()} descriptors, {before} before the reset clients came"
        )
        assert server.alive(), f"{server.name} died of a reset client:\n{server.stderr_text()}"
        for number, other in enumerate(others):
            assert echo(other, f"still {number}".encode(), "the other client's echo") == f"still {number}".encode()
        with connect(server.address) as newcomer:
            assert echo(newcomer, b"next", "a new client's echo") == b"next"
        server.check_stderr_lines(stderr_offset, at_most=20 if moment == "still queued" else 1)


def reset_one(server, moment: str, before: int) -> None:
    victim = connect(server.address)
    try:
        if moment == "server reading":
            # Half a message, echoed: the server is back waiting for the rest of it.
            assert echo(victim, b"half a messa") == b"half a messa"
        else:
            assert fill(victim) > 0  # the server cannot write to us, and may have stopped reading
        assert wait_for(lambda: server.fds() == before + 1, 5), "the server never accepted the victim"
    finally:
        reset(victim)


def reset_while_frozen(server, clients: int) -> None:
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        for _ in range(clients):
            victim = connect(server.address)  # the kernel completes the handshake into the backlog
            victim.sendall(b"half a messa")
            reset(victim)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
