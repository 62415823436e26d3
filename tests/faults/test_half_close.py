"""A client sends, then shuts its sending side (shutdown(SHUT_WR)): it still gets its whole echo, then EOF.

EOF from the client ends its input, not the conversation: the server sends back everything it
still holds and only then closes, with FIN rather than RST, and lets go of the socket.
"""

import os
import selectors
import socket
import time

import pytest

from tests.faults.helpers import assert_same, connect, exchange, recv_exactly, settled_fds, wait_for


def concurrently(size: int):
    def talk(sock: socket.socket) -> tuple[bytes, bytes]:
        payload = os.urandom(size)
        return payload, exchange(sock, payload)  # exchange() requires EOF after the echo, not a reset

    return talk


def before_reading(sock: socket.socket) -> tuple[bytes, bytes]:
    """The plain way: send it all, shut down, then read (64 KiB fit in the kernel's buffers)."""
    payload = os.urandom(64 << 10)
    sock.sendall(payload)
    sock.shutdown(socket.SHUT_WR)
    received = recv_exactly(sock, len(payload))
    assert sock.recv(1) == b"", "no EOF after the whole echo"
    return payload, received


def when_full(sock: socket.socket) -> tuple[bytes, bytes]:
    """Send without reading until the server takes no more, shut down, then read slowly.

    The server meets our EOF while it still holds echo it could not send: a server that
    closes at EOF instead of finishing the echo first loses that tail.
    """
    payload, sent = os.urandom(32 << 20), 0
    sock.setblocking(False)
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_WRITE)
        while sent < len(payload) and selector.select(0.5):
            try:
                sent += sock.send(payload[sent : sent + (1 << 16)])
            except BlockingIOError:
                pass
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(30)
    received = bytearray()
    while chunk := sock.recv(1 << 16):
        received += chunk
        time.sleep(0.001)  # a slow reader: the server's output stays backed up until the end
    return payload[:sent], bytes(received)


CASES = {
    "nothing sent": concurrently(0),
    "5 bytes": concurrently(5),
    "64 KiB sent before reading": before_reading,
    "4 MiB sent while reading": concurrently(4 << 20),  # more than the kernel's buffers hold
    "buffers full, then read slowly": when_full,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES)
def test_half_close(server, case):
    before = settled_fds(server)
    with connect(server.address, timeout=30) as sock:
        payload, received = CASES[case](sock)
        assert_same(received, payload)
        # The server has closed its side: its descriptor goes while ours is still open.
        assert wait_for(lambda: server.fds() == before, 10), (
            f"{server.name} holds {server.fds()} descriptors after the echo, {before} before the client"
        )
    server.check_stderr_lines(at_most=0)
