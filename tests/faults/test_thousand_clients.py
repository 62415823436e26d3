"""1,000 concurrent connections with traffic: none starved.

All thousand connect first and stay connected until the last is done; each then makes several
round trips, the next message only after the last echo. One selector in the test process drives
them all. The blocking server cannot do this by design: it serves the clients one at a time in
the order they came, each as soon as the one before it has left, and loses none.
"""

import contextlib
import selectors
import socket
import time

import pytest

from tests.faults.helpers import BLOCKING, Server, recv_exactly

CLIENTS = 1000
ROUNDS = 10
MESSAGE_SIZE = 4096
DEADLINE = 30.0  # for all the traffic
STARVED = 10.0  # one client waiting this long for one echo is starved, whatever the others get


def message(client: int, round_: int) -> bytes:
    return f"client {client} round {round_} ".encode().ljust(MESSAGE_SIZE, b".")


def crowd(stack: contextlib.ExitStack, address) -> list[socket.socket]:
    return [stack.enter_context(socket.create_connection(address, timeout=30)) for _ in range(CLIENTS)]


@pytest.mark.timeout(120)
def test_thousand_clients(concurrent_server):
    server = concurrent_server
    with contextlib.ExitStack() as stack:
        clients = crowd(stack, server.address)
        selector = stack.enter_context(selectors.DefaultSelector())
        rounds = [0] * CLIENTS
        buffers = [bytearray() for _ in range(CLIENTS)]
        sent_at = [0.0] * CLIENTS
        longest_wait = 0.0
        for number, sock in enumerate(clients):
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, number)
            sent_at[number] = time.monotonic()
            assert sock.send(message(number, 0)) == MESSAGE_SIZE  # an empty socket buffer takes 4 KiB
        deadline = time.monotonic() + DEADLINE
        finished = 0
        while finished < CLIENTS:
            left = deadline - time.monotonic()
            if left <= 0:
                starved = [number for number in range(CLIENTS) if rounds[number] < ROUNDS]
                pytest.fail(
                    f"{len(starved)} clients starved after {DEADLINE} s, e.g. {starved[:10]}; "
                    f"their rounds: {[rounds[n] for n in starved[:10]]}"
                )
            for key, _events in selector.select(left):
                number, sock = key.data, key.fileobj
                chunk = sock.recv(1 << 16)
                assert chunk, f"the server closed client {number} in round {rounds[number]}"
                buffers[number] += chunk
                if len(buffers[number]) < MESSAGE_SIZE:
                    continue
                assert buffers[number] == message(number, rounds[number]), f"client {number} got another's echo"
                longest_wait = max(longest_wait, time.monotonic() - sent_at[number])
                buffers[number].clear()
                rounds[number] += 1
                if rounds[number] == ROUNDS:
                    finished += 1
                    selector.unregister(sock)
                else:
                    sent_at[number] = time.monotonic()
                    assert sock.send(message(number, rounds[number])) == MESSAGE_SIZE
        assert longest_wait < STARVED, f"a client waited {longest_wait:.1f} s for one echo"
        # Every echo came while all thousand were connected: the server held them all at once.
        assert server.fds() >= CLIENTS, f"{server.name} holds only {server.fds()} descriptors"
    server.check_stderr_lines(at_most=0)


@pytest.mark.timeout(120)
def test_thousand_clients_wait_their_turn_on_the_blocking_server():
    """By design: one at a time, in arrival order, each as soon as the one before it leaves."""
    with Server(BLOCKING) as server, contextlib.ExitStack() as stack:
        clients = crowd(stack, server.address)  # the kernel completes every handshake into the backlog
        for number, sock in enumerate(clients):
            sock.sendall(message(number, 0))
        assert recv_exactly(clients[0], MESSAGE_SIZE) == message(0, 0)
        with selectors.DefaultSelector() as selector:
            for sock in clients[1:]:
                selector.register(sock, selectors.EVENT_READ)
            assert selector.select(0.5) == [], "the blocking server answered two clients at once"
        for number, sock in enumerate(clients):
            if number:
                sock.settimeout(10)
                assert recv_exactly(sock, MESSAGE_SIZE) == message(number, 0), f"client {number} was not served"
            sock.close()  # the server takes the next client from the backlog
        server.check_stderr_lines(at_most=0)
