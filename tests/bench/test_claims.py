"""The notes' claims, measured on the real servers as processes by code/echo_bench.py.

Margins are generous: the machine is shared, so these check the kind of behaviour, not its speed.
"""

import os

import pytest

import echo_bench

# Let the servers run on any core: pinned, a busy core of the test machine would decide the result.
ANYWHERE = {"server": sorted(os.sched_getaffinity(0)), "clients": sorted(os.sched_getaffinity(0))}


def test_busy_loop_burns_a_core_while_idle():
    idle = echo_bench.idle_cpu("busy_loop", clients=10, seconds=1.0, cpus=ANYWHERE)
    # What it asked for (ran or queued for a CPU): what it got depends on the other tests running.
    assert idle["wanted_share"] >= 0.5, idle
    assert idle["cpu_share"] > 0.1, idle
    assert idle["server_exit"]["exit"] == 0


@pytest.mark.parametrize("server", ["selectors", "asyncio_sock", "asyncio_streams"])
def test_event_loops_sleep_while_idle(server):
    idle = echo_bench.idle_cpu(server, clients=10, seconds=1.0, cpus=ANYWHERE)
    assert idle["cpu_share"] <= 0.05 and idle["wanted_share"] <= 0.05, idle
    assert idle["server_exit"]["exit"] == 0


def test_blocking_server_leaves_the_second_client_unanswered():
    result = echo_bench.measure("blocking", clients=2, size=64, seconds=0.3, cpus=ANYWHERE)
    assert result["starved"] == 1, result  # the first is served all along, the second never
    assert result["requests"] > 0 and result["mismatches"] == 0


def test_selectors_serves_100_clients_at_once_every_byte_intact():
    result = echo_bench.measure("selectors", clients=100, size=16 * 1024, seconds=0.5, cpus=ANYWHERE)
    assert result["clients"] == 100
    assert result["starved"] == 0 and result["failed"] == 0 and result["mismatches"] == 0, result
    assert result["round_trips"] >= 100 and result["bytes_checked"] == result["round_trips"] * 16 * 1024
    assert result["server_exit"] == {"exit": 0, "stderr_lines": 0, "stderr_first": ""}
