"""A slow reader: a client keeps sending for 1 s and reads nothing.

The server must stop reading from it once its pending output passes a limit (1 MiB), so the
server's resident memory grows by no more than that limit plus 16 MiB; afterwards everything the
client managed to send comes back intact. Meanwhile the concurrent models keep serving another
client. The blocking server, by design, serves nobody else while this client is connected: the
other client waits in the backlog and is served once the slow one has left.
"""

import selectors
import socket
import time

import pytest

from tests.faults.helpers import BLOCKING, Pattern, connect, echo, nothing_arrives, recv_exactly

SEND_FOR = 1.0  # at loopback speed, many times the pending limit (the buffers fill in milliseconds)
PENDING_LIMIT = 1 << 20
RSS_SLACK = 16 << 20
CHUNK = 1 << 16
PROBE_EVERY = 0.2


@pytest.mark.timeout(90)
def test_slow_reader(server):
    concurrent = server.name != BLOCKING
    pattern = Pattern()
    with connect(server.address) as greedy, connect(server.address) as other:
        assert echo(greedy, b"warm-up") == b"warm-up"
        if concurrent:
            assert echo(other, b"hello") == b"hello"
        else:
            other.sendall(b"waiting")
        baseline = peak = server.rss()

        greedy.setblocking(False)
        sent = probes = 0
        start = time.monotonic()
        next_sample = next_probe = start
        with selectors.DefaultSelector() as selector:
            selector.register(greedy, selectors.EVENT_WRITE)
            while (now := time.monotonic()) < start + SEND_FOR:
                if selector.select(0.02):
                    try:
                        sent += greedy.send(pattern.at(sent, CHUNK))
                    except BlockingIOError:
                        pass
                if now >= next_sample:
                    peak = max(peak, server.rss())
                    next_sample = now + 0.05
                    if peak - baseline > PENDING_LIMIT + RSS_SLACK:
                        break  # already failed: do not let it eat the machine
                if concurrent and now >= next_probe:
                    message = f"probe {probes}".encode()
                    assert echo(other, message, "another client's echo, while the slow reader sent") == message
                    probes += 1
                    next_probe = time.monotonic() + PROBE_EVERY
        grown = peak - baseline
        assert grown <= PENDING_LIMIT + RSS_SLACK, (
            f"{server.name} grew by {grown / 2**20:.1f} MiB while a client sent {sent / 2**20:.1f} MiB and read none"
        )
        if concurrent:
            assert probes >= 3, f"another client got only {probes} echoes in {SEND_FOR} s"
        else:
            assert nothing_arrives(other, 0.5), "the blocking server answered a second client while the first stayed"

        # Now the slow reader reads: everything it sent comes back, in order, then EOF.
        greedy.setblocking(True)
        greedy.settimeout(30)
        greedy.shutdown(socket.SHUT_WR)
        received = 0
        while chunk := greedy.recv(CHUNK):
            assert chunk == pattern.at(received, len(chunk)), f"the echo differs from what was sent, within bytes {received}.."
            received += len(chunk)
        assert received == sent, f"{received} bytes came back of {sent} sent"

        if not concurrent:
            other.settimeout(10)
            assert recv_exactly(other, 7) == b"waiting", "the waiting client was not served after the first left"
    server.check_stderr_lines(at_most=0)
