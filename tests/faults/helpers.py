"""What the fault cases share: a server process watched from outside, and clients that misbehave."""

from __future__ import annotations

import os
import random
import selectors
import socket
import struct
import threading
import time

import psutil

from tests.programs.server_process import ServerProcess, connect, recv_exactly

__all__ = [
    "BLOCKING", "Pattern", "Server", "assert_same", "connect", "echo", "exchange", "fill", "nothing_arrives",
    "recv_exactly", "reset", "settled_fds", "wait_for",
]

# The one model that serves a single client at a time by design (vault/Блокирующие сокеты.md).
BLOCKING = "blocking_echo_server.py"
# What a server writes about one dropped or refused client is a short line, not a traceback.
SHORT_LINE = 200


class Server(ServerProcess):
    """A server of code/ run through its command line, with what a fault case looks at from outside.

    stderr is read as it comes: a server that reports thousands of dropped clients would
    otherwise fill the pipe and hang in print().
    """

    def __init__(self, name: str, *args: str):
        self._stderr = bytearray()
        self._stderr_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        super().__init__(name, *args)
        self._ps = psutil.Process(self.proc.pid)
        self._reader = threading.Thread(target=self._drain_stderr, name=f"stderr of {name}", daemon=True)
        self._reader.start()

    def _drain_stderr(self) -> None:
        for line in iter(self.proc.stderr.readline, b""):
            with self._stderr_lock:
                self._stderr += line

    def stderr_now(self) -> str:
        """What the running server has written on stderr so far."""
        with self._stderr_lock:
            return self._stderr.decode(errors="replace")

    def stderr_text(self) -> str:
        if self._reader is None:
            return super().stderr_text()
        if self.proc.poll() is None:
            return ""
        self._reader.join(5)  # the pipe is at EOF once the process is gone
        return self.stderr_now()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._reader is not None:
            self._reader.join(5)
        self.close_pipes()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fds(self) -> int:
        """How many file descriptors the server holds open now."""
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss(self) -> int:
        """The server's resident memory, in bytes."""
        return self._ps.memory_info().rss

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far."""
        times = self._ps.cpu_times()
        return times.user + times.system

    def check_stderr_lines(self, since: int = 0, at_most: int | None = None) -> list[str]:
        """The stderr lines written after offset `since`: short ones, no traceback, no warning."""
        text = self.stderr_now()[since:]
        lines = text.splitlines()
        assert "Traceback" not in text and "Warning" not in text, f"{self.name} wrote on stderr:\n{text}"
        assert all(len(line) < SHORT_LINE for line in lines), f"{self.name} wrote long lines:\n{text}"
        # Two reports printed at once by two threads come out as "AB" and an empty line.
        assert all(line.strip() for line in lines), f"{self.name} wrote mixed-up or empty lines:\n{text}"
        if at_most is not None:
            assert len(lines) <= at_most, f"{self.name} wrote {len(lines)} lines, at most {at_most} expected:\n{text}"
        return lines


def wait_for(condition, timeout: float, interval: float = 0.02) -> bool:
    """Poll condition() until it is true or timeout seconds have passed; its last verdict."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return bool(condition())
        time.sleep(interval)
    return True


def settled_fds(server: Server, quiet: float = 0.3, timeout: float = 10.0) -> int:
    """The server's descriptor count once it has stayed the same for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    count, since = server.fds(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = server.fds()
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return count


def nothing_arrives(sock: socket.socket, seconds: float) -> bool:
    """True if the socket stays silent (no byte, no EOF) for that long."""
    sock.settimeout(seconds)
    try:
        sock.recv(1)
    except TimeoutError:
        return True
    return False


def reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel drops what is unsent and answers with RST, not FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def echo(sock: socket.socket, payload: bytes, what: str = "the echo") -> bytes:
    sock.sendall(payload)
    try:
        return recv_exactly(sock, len(payload))
    except TimeoutError:
        raise AssertionError(f"{what} did not come back within {sock.gettimeout()} s") from None


def fill(sock: socket.socket, stall: float = 0.5, limit: int = 64 << 20) -> int:
    """Send without reading until the kernel takes nothing more for `stall` seconds; bytes sent."""
    sock.setblocking(False)
    chunk, sent = bytes(1 << 16), 0
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_WRITE)
        while sent < limit and selector.select(stall):
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                pass
    return sent


def exchange(
    sock: socket.socket, payload: bytes, *, half_close: bool = True, read_pause: float = 0.0, timeout: float = 30.0
) -> bytes:
    """Send payload while reading the echo, in one thread.

    half_close: then shut our sending side and read until EOF; otherwise read len(payload) bytes.
    read_pause: sleep that long after each read of at most 64 KiB, to be a slow reader.
    An echo that stalls, or a reset instead of EOF, is an AssertionError saying how far it got.
    """
    sock.setblocking(False)
    try:
        return _exchange(sock, payload, half_close, read_pause, timeout)
    finally:
        sock.settimeout(timeout)


def _exchange(sock: socket.socket, payload: bytes, half_close: bool, read_pause: float, timeout: float) -> bytes:
    view, sent, received = memoryview(payload), 0, bytearray()
    shut = False
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if payload else 0))
        while True:
            if half_close and sent == len(payload) and not shut:
                sock.shutdown(socket.SHUT_WR)
                shut = True
            if not half_close and len(received) >= len(payload):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"stalled: {len(received)} of {len(payload)} bytes came back, {sent} sent"
                    + (", then SHUT_WR; no EOF" if shut else "")
                )
            for _key, events in selector.select(left):
                try:
                    if events & selectors.EVENT_WRITE:
                        sent += sock.send(view[sent : sent + (1 << 18)])
                        if sent == len(payload):
                            selector.modify(sock, selectors.EVENT_READ)
                    if events & selectors.EVENT_READ:
                        chunk = sock.recv(1 << 16 if read_pause else 1 << 18)
                        if not chunk:
                            if half_close and shut:
                                return bytes(received)
                            raise AssertionError(
                                f"the server closed the connection after {len(received)} of {len(payload)} bytes"
                            )
                        received += chunk
                        time.sleep(read_pause)
                except BlockingIOError:
                    pass
                except ConnectionResetError:
                    raise AssertionError(
                        f"reset by the server after {len(received)} of {len(payload)} bytes came back"
                    ) from None
    return bytes(received)


def assert_same(received: bytes, expected: bytes) -> None:
    """Byte-for-byte equality, reported as a length and an offset, not as a 16 MiB diff."""
    if received == expected:
        return
    same = min(len(received), len(expected))
    step = 1 << 12
    for start in range(0, same, step):
        if received[start : start + step] != expected[start : start + step]:
            same = start + next(
                i for i, (a, b) in enumerate(zip(received[start : start + step], expected[start : start + step])) if a != b
            )
            break
    raise AssertionError(f"{len(received)} bytes came back for {len(expected)} sent; they differ from byte {same}")


class Pattern:
    """An endless, reproducible byte stream: an echo is checked at any offset without keeping what was sent."""

    PERIOD = 65537  # prime: chunk boundaries never line up with the period

    def __init__(self, seed: int = 5):
        block = random.Random(seed).randbytes(self.PERIOD)
        self._twice = block + block

    def at(self, offset: int, size: int) -> bytes:
        assert size <= self.PERIOD
        start = offset % self.PERIOD
        return self._twice[start : start + size]
