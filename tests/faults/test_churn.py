"""Churn: 1,000 connect/disconnect cycles leave the server holding as many descriptors as before.

The cycles mix the ways a client leaves: at once without a word, after an echo, by a reset in
the middle of a message, and by a half-close that waits for the echo and EOF. The count of
/proc/<pid>/fd is compared before and after; one socket not closed in a hundred would show as 10.
"""

import socket

import pytest

from tests.faults.helpers import connect, echo, recv_exactly, reset, settled_fds, wait_for

CYCLES = 1000


def cycle(address, number: int) -> None:
    sock = socket.create_connection(address, timeout=10)
    try:
        kind = number % 4
        if kind == 1:
            assert echo(sock, b"ping %d" % number) == b"ping %d" % number
        elif kind == 2:
            sock.sendall(b"half a mess")
            reset(sock)
        elif kind == 3:
            sock.sendall(b"bye")
            sock.shutdown(socket.SHUT_WR)
            assert recv_exactly(sock, 3) == b"bye" and sock.recv(1) == b""
    finally:
        sock.close()  # closing twice is harmless


@pytest.mark.timeout(120)
def test_churn(server):
    with connect(server.address) as first:
        assert echo(first, b"warm-up") == b"warm-up"
    before = settled_fds(server)
    for number in range(CYCLES):
        cycle(server.address, number)
    assert wait_for(lambda: server.fds() == before, 15, interval=0.1), (
        f"{server.name} holds {server.fds()} descriptors after {CYCLES} clients came and went, {before} before"
    )
    assert server.alive(), server.stderr_text()
    with connect(server.address) as last:
        assert echo(last, b"still serving") == b"still serving"
    server.check_stderr_lines()  # only short lines about dropped clients
