"""Fixtures of the fault cases: every server of code/ as a process, and room for many sockets."""

import resource

import pytest

from tests.faults.helpers import Server
from tests.programs.conftest import CONCURRENT, SERVERS


def short(name: str) -> str:
    return name.removesuffix("_echo_server.py")


@pytest.fixture(scope="session", autouse=True)
def open_file_limit():
    """A thousand clients need more descriptors than a default soft limit of 1024; servers inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    yield hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture(params=SERVERS, ids=short)
def server(request):
    with Server(request.param) as running:
        yield running


@pytest.fixture(params=CONCURRENT, ids=short)
def concurrent_server(request):
    with Server(request.param) as running:
        yield running
