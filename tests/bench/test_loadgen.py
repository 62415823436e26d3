"""The benchmark's C programs, briefly (well under 2 s each): the load generator checks every byte and
counts what the targets count, and the reference server echoes what it is sent.

The servers here that misbehave on purpose are threads of the test, on 127.0.0.1.
"""

import os
import socket
import threading
import time

import pytest

from tools.bench import native, saturate

EVERY_CPU = sorted(os.sched_getaffinity(0))
# Let them run on any core: pinned, a busy core of the test machine would decide the result.
ANYWHERE = {"server": EVERY_CPU, "clients": EVERY_CPU}


@pytest.fixture(scope="module", autouse=True)
def built():
    native.build()


def generate(port: int, clients: int, size: int = 64, seconds: float = 0.2, ramp: float = 0.3) -> dict:
    """The generator's summary, with short phases: nothing here needs the benchmark's."""
    raw = saturate.run_loadgen(port, clients, size, seconds, EVERY_CPU, ramp=ramp, warmup=0.05, drain=0.2)
    return saturate.summary(raw)


class ThreadServer:
    """A listener on 127.0.0.1 whose accepted connections a function of the test serves, one thread each."""

    def __init__(self, serve=None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.serve = serve
        self.threads = []
        self.conns = []
        if serve is not None:
            self.acceptor = threading.Thread(target=self._accept, daemon=True)
            self.acceptor.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed: the test is over
            self.conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, conn):
        try:
            self.serve(conn)
        except OSError:
            pass  # the generator has gone

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.serve is not None:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.acceptor.join(2)
        self.listener.close()
        for thread in self.threads:
            thread.join(2)
        for conn in self.conns:
            conn.close()


def read_exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def test_reference_server_serves_every_client_every_byte():
    result = saturate.measure(saturate.REFERENCE, clients=20, size=16 * 1024, seconds=0.3, cpus=ANYWHERE)
    assert result["clients"] == 20 and result["requests"] > 0, result
    assert result["starved"] == result["stalled"] == result["failed"] == result["mismatches"] == 0, result
    assert result["bytes_checked"] == result["round_trips"] * 16 * 1024 and result["round_trips_min"] >= 1
    assert result["cpu_per_request_us"] > 0 and result["server_cpu_share"] is not None
    assert result["server_exit"] == {"exit": 0, "stderr_lines": 0, "stderr_first": ""}


def test_a_wrong_byte_in_an_echo_is_caught():
    def echo_with_a_flipped_byte(conn):
        request = bytearray(read_exactly(conn, 64))
        request[37] ^= 1
        conn.sendall(request)
        read_exactly(conn, 1)  # wait for the generator to hang up

    with ThreadServer(echo_with_a_flipped_byte) as server:
        result = generate(server.port, clients=1)
    assert result["mismatches"] == 1 and result["failed"] == 1, result
    assert result["round_trips"] == 0 and result["starved"] == 1, result  # a wrong echo is no echo


def test_a_client_never_answered_is_starved():
    with ThreadServer() as server:  # listens, never accepts: the kernel completes the handshakes
        result = generate(server.port, clients=3)
    assert result["starved"] == 3 and result["first_echo_max_ms"] is None, result
    # Waiting since connect(): the ramp, the warm-up and the window went by without an echo.
    assert result["worst_gap_max_ms"] >= 500, result


def test_the_longest_wait_for_an_echo_is_reported():
    def echo_with_a_pause_before_the_third(conn):
        for n in range(1_000_000):
            request = read_exactly(conn, 64)
            if n == 2:
                time.sleep(0.5)
            conn.sendall(request)

    with ThreadServer(echo_with_a_pause_before_the_third) as server:
        result = generate(server.port, clients=1, seconds=0.8)
    assert result["starved"] == 0 and result["mismatches"] == 0 and result["failed"] == 0, result
    # The pause is the longest wait, not the first echo (a busy machine has delayed it by 0.4 s).
    assert result["first_echo_max_ms"] < 500, result
    assert 500 <= result["worst_gap_max_ms"] < 1000 and result["stalled"] == 0, result
    assert result["round_trips"] > 3


def test_what_other_programs_took_of_a_core():
    raw = {"window_seconds": 2.0, "cpu_busy_seconds": [1.9, 0.6], "cpu_steal_seconds": [0.1, 0.0]}
    # Core 0 ran 2.0 s in 2 s, 1.2 s of it our server's: other programs (and the hypervisor) took 40 %.
    assert saturate.others_share(raw, [0], ours=1.2) == 0.4
    assert saturate.others_share(raw, [1], ours=0.6) == 0.0
    assert saturate.others_share(raw, [0, 1], ours=1.8) == 0.2  # per core, over both
    assert saturate.others_share(raw, [2], ours=0.0) is None  # a core the generator did not see
    result = saturate.measure(saturate.REFERENCE, clients=4, size=64, seconds=0.2, cpus=ANYWHERE)
    assert 0 <= result["others_server_core_share"] <= 1 and 0 <= result["others_generator_core_share"] <= 1
