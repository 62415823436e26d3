"""code/echo_client.py against a real server process."""

import hashlib
import os
import socket
import subprocess

from tests.programs.server_process import CODE, ServerProcess, python


def run_client(port: int, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    proc = python(str(CODE / "echo_client.py"), "--port", str(port), *args,
                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(stdin, timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_words_come_back():
    with ServerProcess("selectors_echo_server.py") as server:
        result = run_client(server.address[1], "привет")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == "привет\n"
    assert result.stderr == b""


def test_sixteen_mebibytes_on_stdin_do_not_deadlock():
    payload = os.urandom(16 << 20)
    with ServerProcess("blocking_echo_server.py") as server:
        result = run_client(server.address[1], stdin=payload)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) == len(payload)
    assert hashlib.sha256(result.stdout).digest() == hashlib.sha256(payload).digest()


def test_refused_connection_is_one_clear_line():
    # Bound but not listening: the port stays ours (a port just freed may be taken by another
    # worker's server by the time the client connects), and a connection to it is refused.
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        result = run_client(placeholder.getsockname()[1], "hello")
    assert result.returncode == 1
    assert len(result.stderr.decode().splitlines()) == 1
    assert b"Traceback" not in result.stderr
