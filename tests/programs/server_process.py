"""Programs of code/ as real processes, through the command-line contract of DESIGN.md."""

from __future__ import annotations

import contextlib
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tools.checks.pytest_plugin import ran_program

CODE = Path(__file__).resolve().parents[2] / "code"
READY = re.compile(rb"^listening on (\S+):(\d+)$")
# The contract promises 1 s; a loaded 2-core machine gets some slack.
STOP_WITHIN = 5.0
START_WITHIN = 10.0


def python(*args: str, **kwargs) -> subprocess.Popen:
    """A child Python that treats a leaked socket as an error it will print on stderr. A program
    of code/ that it runs is recorded on the running test, for the site's proof of that program."""
    if args and Path(args[0]).parent == CODE:
        ran_program(Path(args[0]).name)
    return subprocess.Popen(
        [sys.executable, "-W", "error::ResourceWarning", *args], cwd=CODE, **kwargs
    )


class ServerProcess:
    def __init__(self, name: str, *args: str):
        self.name = name
        self.proc = python(str(CODE / name), "--port", "0", *args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.address = self._wait_ready()

    def _wait_ready(self) -> tuple[str, int]:
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                line = self.proc.stdout.readline().rstrip(b"\n")
                if not line:  # stdout closed: it is exiting, and stderr says why
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(START_WITHIN)
                    break
                match = READY.match(line)
                if not match:
                    self.kill()
                    raise AssertionError(f"{self.name} printed {line!r} instead of 'listening on HOST:PORT'")
                return match[1].decode(), int(match[2])
            if self.proc.poll() is not None:
                break
        status, stderr = self.proc.poll(), self.stderr_text()
        self.kill()
        raise AssertionError(f"{self.name} never said it was listening (exit status {status}); stderr:\n{stderr}")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, float]:
        """Send sig; return (exit status, stderr, seconds it took to exit)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(STOP_WITHIN)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not exit within {STOP_WITHIN} s of {signal.Signals(sig).name}")
        took = time.monotonic() - start
        return self.proc.returncode, self.stderr_text(), took

    def stderr_text(self) -> str:
        return self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close_pipes()

    def close_pipes(self) -> None:
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe and not pipe.closed:
                pipe.close()

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


def connect(address, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)
