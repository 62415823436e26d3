"""The port is taken: one clear line on stderr naming the address and the reason, exit status 1, no traceback."""

import socket
import subprocess

import pytest

from tests.programs.conftest import SERVERS
from tests.programs.server_process import CODE, python


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", SERVERS, ids=lambda name: name.removesuffix("_echo_server.py"))
def test_port_taken(name):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = python(str(CODE / name), "--port", str(port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=20)
    text = err.decode(errors="replace")
    assert proc.returncode == 1, f"{name} exited with {proc.returncode}:\n{text}"
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1, f"one line expected on stderr, got:\n{text}"
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0], f"the line names neither the address nor why: {lines[0]}"
    assert out == b"", "a server that cannot listen must not say it is listening"
