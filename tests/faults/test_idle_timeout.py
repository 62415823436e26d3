"""--idle-timeout T (the selectors and asyncio servers): a silent client is closed within T + margin.

A client that keeps talking meanwhile gets every echo; the server says one short line per client
it closed, goes on serving newcomers and stops on SIGTERM as usual. While its clients are silent
and no deadline is due, the server sleeps: it is neither switched in (a poll every few
milliseconds would be) nor burning CPU (a poll with no timeout at all would be). The note
«Тайм-ауты» explains why and shows the same on the servers run in a thread.
"""

import select
import signal
import time

import psutil
import pytest

from tests.faults.helpers import Server, connect, echo, wait_for

IDLE_SERVERS = ["selectors_echo_server.py", "asyncio_echo_server.py", "asyncio_streams_echo_server.py"]
IDLE = 0.5  # the talking client talks every IDLE / 4: a loaded machine must not stall it for IDLE
MARGIN = 0.5  # a loaded 2-core machine may run the server late
IDLE_LINE = f"idle for {IDLE:g} s (--idle-timeout)"


def closed_within(sock, seconds: float, while_waiting=lambda: None) -> float | None:
    """Seconds until sock sees the end of the stream, calling while_waiting every IDLE / 4; None if it does not."""
    start = time.monotonic()
    while (left := start + seconds - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], min(left, IDLE / 4))
        if readable:
            assert sock.recv(1) == b"", "the server sent data to a silent client"
            return time.monotonic() - start
        while_waiting()
    return None


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", IDLE_SERVERS, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_idle_timeout(name):
    with Server(name, "--idle-timeout", str(IDLE)) as server:
        process = psutil.Process(server.proc.pid)
        with connect(server.address) as silent, connect(server.address) as talking:
            talked = []

            def talk():
                message = b"message %d" % len(talked)
                assert echo(talking, message) == message
                talked.append(message)

            closed_after = closed_within(silent, IDLE + MARGIN, while_waiting=talk)
            assert closed_after is not None, f"a silent client was still open {IDLE + MARGIN} s after it connected"
            # Measured from before the connection was accepted: never early.
            assert closed_after >= IDLE, f"a silent client was closed after {closed_after:.3f} s, before {IDLE} s"
            for _ in range(2):  # the talking one goes on, past its own first IDLE seconds
                talk()
                time.sleep(IDLE / 4)
            # At least one echo while the silent one waited (every IDLE / 4, fewer on a loaded machine),
            # then 2 after it was closed, when the talking one was itself connected for over IDLE s.
            assert len(talked) >= 1 + 2, talked
        assert wait_for(lambda: IDLE_LINE in server.stderr_now(), 5), "the server did not say why it closed a client"

        with connect(server.address) as newcomer:
            assert echo(newcomer, b"hello") == b"hello"

        # A client that falls silent: until its deadline the server sleeps, then closes it.
        with connect(server.address) as quiet:
            assert echo(quiet, b"hi") == b"hi"
            switches, cpu = process.num_ctx_switches().voluntary, server.cpu_seconds()
            time.sleep(IDLE / 2)
            woke = process.num_ctx_switches().voluntary - switches
            burned = server.cpu_seconds() - cpu
            assert woke <= 2, f"the server woke {woke} times in {IDLE / 2} s with nothing to do"
            # Linux charges CPU in clock ticks (10 ms): a couple of wake-ups can show as 0.02 s under
            # load. A busy loop burns the whole window; the wake-up count above catches a fast poll.
            assert burned < IDLE / 4, f"the server used {burned:.3f} s of CPU in {IDLE / 2} s with nothing to do"
            assert closed_within(quiet, IDLE / 2 + MARGIN) is not None, "a client silent since its echo was not closed"

        assert wait_for(lambda: server.stderr_now().count(IDLE_LINE) == 2, 5), server.stderr_now()
        lines = server.check_stderr_lines(at_most=2)
        assert len(lines) == 2 and all(IDLE_LINE in line for line in lines), lines
        status, _stderr, _took = server.stop(signal.SIGTERM)
        assert status == 0, f"{name} with --idle-timeout exited with {status}"
