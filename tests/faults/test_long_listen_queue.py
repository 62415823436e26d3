"""A thousand clients connect while the server is not running at all (stopped with SIGSTOP): the
kernel completes their handshakes into the listen queue, which holds cli.BACKLOG connections, not a
library's default (asyncio's is 100) nor the number a server accepts per wake-up. Once the server
runs again, it serves them all.

A queue that is too short does not refuse anyone: the kernel drops the SYN of a client it has no
room for, and the client tries again only a second later. That second is what starves clients at
N = 10,000 in `make bench`.
"""

import os
import selectors
import signal
import socket
import time
from contextlib import ExitStack
from pathlib import Path

from tests.faults.helpers import assert_same, exchange

CLIENTS = 1000
HANDSHAKES_WITHIN = 0.5  # a handshake the queue has room for takes microseconds on 127.0.0.1


def somaxconn() -> int:
    return int(Path("/proc/sys/net/core/somaxconn").read_text())


def connect_all(stack: ExitStack, address, count: int) -> tuple[list[socket.socket], int]:
    """Start count non-blocking connects; return the sockets and how many completed in time."""
    socks = []
    with selectors.DefaultSelector() as selector:
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.setblocking(False)
            sock.connect_ex(address)
            selector.register(sock, selectors.EVENT_WRITE)
            socks.append(sock)
        done, deadline = 0, time.monotonic() + HANDSHAKES_WITHIN
        while done < count and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                selector.unregister(key.fileobj)
                done += key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
    return socks, done


def test_listen_queue_holds_a_thousand_clients(server):
    with ExitStack() as stack:
        os.kill(server.proc.pid, signal.SIGSTOP)
        try:
            socks, connected = connect_all(stack, server.address, CLIENTS)
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        # The kernel caps every queue at net.core.somaxconn (4096 on current Linux).
        expected = min(CLIENTS, somaxconn())
        assert connected >= expected, (
            f"{server.name}: {connected} of {CLIENTS} handshakes completed while it was stopped; "
            f"its listen queue is shorter than cli.BACKLOG (somaxconn is {somaxconn()})"
        )
        for sock in socks:
            sock.close()  # each leaves at once; the server takes them off the queue one by one
        with socket.create_connection(server.address, timeout=10) as last:
            assert_same(exchange(last, b"after the crowd"), b"after the crowd")
    server.check_stderr_lines(at_most=0)
