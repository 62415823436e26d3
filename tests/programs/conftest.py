import pytest

from tests.programs.server_process import ServerProcess

# Every server of code/. test_every_server_is_listed keeps this in step with the folder.
SERVERS = [
    "blocking_echo_server.py",
    "threaded_echo_server.py",
    "nonblocking_echo_server.py",
    "selectors_echo_server.py",
    "generator_echo_server.py",
    "asyncio_echo_server.py",
    "asyncio_streams_echo_server.py",
    "asyncio_protocol_echo_server.py",
]
# Models that serve many clients at once (the blocking server serves one at a time by design).
CONCURRENT = [name for name in SERVERS if name != "blocking_echo_server.py"]


@pytest.fixture(params=SERVERS)
def server(request):
    with ServerProcess(request.param) as running:
        yield running


@pytest.fixture(params=CONCURRENT)
def concurrent_server(request):
    with ServerProcess(request.param) as running:
        yield running
