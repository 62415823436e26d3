"""The servers under a load generator faster than they are: tools/bench/loadgen.c against every
server of code/ and against the reference server in C (tools/bench/c_echo_server.c), pinned as
code/echo_bench.py pins its runs (server on one core, the generator on the other).

    python -m tools.bench.saturate --servers c_epoll,selectors --clients 100 --sizes 64 --rounds 1

The sweep's JSON is the "saturating" part of attachments/echo-bench.json (`make bench` merges it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tools.bench import native, report
from tools.vault import CODE

sys.path.insert(0, str(CODE))
import echo_bench  # noqa: E402  (code/echo_bench.py: the servers, pinning, /proc readings)

# The reference: the limit each server's figures are divided by.
REFERENCE = "c_epoll"
# The servers the C generator drives: blocking serves one client at a time, so N = 100 starves 99.
SERVERS = [REFERENCE] + [s for s in echo_bench.available_servers() if s not in echo_bench.ONE_AT_A_TIME]
# The servers the fairness targets are about (the report judges the same ones).
FAIR = report.FAIR
# Not measured under this generator, and why: a thread per client takes tens of seconds to start and
# stop 10,000 threads here, more than `make bench` can spend; the Python generator measures it at 10,000.
SKIP = {("threaded", 10_000): "10 000 threads"}
STARVED_AFTER = echo_bench.STARVED_AFTER  # no first echo within this long of connect(): starved
STALLED_AFTER = 1.0  # waited longer than this for some echo while others were served: stalled
# The generator's phases (seconds): first echoes for everyone (at most RAMP), WARMUP, the window.
RAMP, WARMUP, SECONDS = 2.0, 0.2, 1.0
# After the window: how long the generator waits for the echoes on their way before it closes.
DRAIN = 0.5
# What `make bench` measures: these N and S for every server once; the cases of ROUNDS again, in
# that many rounds in all, for the reference and the FAIR servers (the targets' cases: on a shared
# machine one round may be disturbed, so the report takes the median ratio, and the worst fairness).
CLIENTS, SIZES = [100, 10_000], [64, 16384]
ROUNDS = {(100, 64): 4, (10_000, 64): 2}


class Server(echo_bench.ServerProcess):
    """A server of code/ (as echo_bench starts it), or the C reference: same contract, same pinning."""

    def __init__(self, name: str, cpus: list[int]):
        if name != REFERENCE:
            return super().__init__(name, cpus)
        self.name = name
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(native.C_SERVER), "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr,
        )
        try:
            echo_bench.pin(self.proc.pid, cpus)
            self.address = self._wait_ready()
        except BaseException:
            self.close()
            raise


def percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else None


def ms(us: float | None) -> float | None:
    return None if us is None else round(us / 1e3, 3)


def run_loadgen(port: int, clients: int, size: int, seconds: float, cpus: list[int], server_pid: int | None = None,
                ramp: float = RAMP, warmup: float = WARMUP, drain: float = DRAIN) -> dict:
    """The generator's own JSON (per-client lists included); pinned to cpus before it starts."""
    command = [str(native.LOADGEN), "--port", str(port), "--clients", str(clients), "--size", str(size),
               "--seconds", str(seconds), "--warmup", str(warmup), "--ramp", str(ramp), "--drain", str(drain)]
    if server_pid:
        command += ["--server-pid", str(server_pid)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=ramp + warmup + seconds + drain + 30,
                          preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    if done.returncode:
        raise RuntimeError(f"loadgen exited with {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def others_share(raw: dict, cores: list[int], ours: float) -> float | None:
    """Share of these cores other programs took over the window: what ran on them, less our processes."""
    busy, steal = raw.get("cpu_busy_seconds") or [], raw.get("cpu_steal_seconds") or []
    if not cores or max(cores) >= len(busy):
        return None
    ran = sum(busy[c] + steal[c] for c in cores)  # steal: the hypervisor gave the core to another machine
    return round(max(0.0, ran - ours) / raw["window_seconds"] / len(cores), 4)


def summary(raw: dict, cpus: dict | None = None) -> dict:
    """What the stored results keep of one generator run: counts and extremes, not 10,000 lists."""
    first = raw.pop("first_echo_us")
    gaps = raw.pop("worst_gap_us")
    trips = raw.pop("round_trips_per_client")
    answered = [f for f in first if f >= 0]
    window = raw["window_seconds"]
    out = {key: raw[key] for key in ("clients", "size", "rps", "requests", "p50_ms", "p99_ms", "max_ms",
                                     "round_trips", "bytes_checked", "mismatches", "failed", "undrained",
                                     "connect_seconds", "ramp_seconds", "window_seconds", "errors")}
    server_cpu = raw["server_cpu_seconds"]
    out.update({
        "starved": sum(1 for f in first if f < 0 or f > STARVED_AFTER * 1e6),
        "stalled": sum(1 for g in gaps if g > STALLED_AFTER * 1e6),
        "first_echo_p50_ms": ms(percentile(answered, 0.5)),
        "first_echo_max_ms": ms(max(answered)) if answered else None,
        "worst_gap_p50_ms": ms(percentile(gaps, 0.5)),
        "worst_gap_max_ms": ms(max(gaps)) if gaps else None,
        "round_trips_min": min(trips), "round_trips_median": statistics.median(trips),
        "client_cpu_share": round(raw["client_cpu_seconds"] / window, 4),
        # Ran or waited to run. On a virtual machine a wake-up waits too, so this is not how much
        # other programs took: others_*_core_share below is.
        "client_wanted_share": (None if raw["client_wanted_seconds"] is None
                                else round(raw["client_wanted_seconds"] / window, 4)),
        "server_cpu_share": None if server_cpu is None else round(server_cpu / window, 4),
        "server_wanted_share": (None if raw["server_wanted_seconds"] is None
                                else round(raw["server_wanted_seconds"] / window, 4)),
    })
    if cpus and server_cpu is not None:
        ours = {"server": server_cpu, "clients": raw["client_cpu_seconds"]}
        if cpus["server"] == cpus["clients"]:  # one core for both (or the tests' "anywhere")
            ours = dict.fromkeys(ours, server_cpu + raw["client_cpu_seconds"])
        out["others_server_core_share"] = others_share(raw, cpus["server"], ours["server"])
        out["others_generator_core_share"] = others_share(raw, cpus["clients"], ours["clients"])
    requests_per_second = out["rps"]
    out["cpu_per_request_us"] = (round(server_cpu / window / requests_per_second * 1e6, 2)
                                 if server_cpu is not None and requests_per_second else None)
    out["client_cpu_per_request_us"] = (round(raw["client_cpu_seconds"] / window / requests_per_second * 1e6, 2)
                                        if requests_per_second else None)
    return out


def measure(server: str, clients: int, size: int, seconds: float = SECONDS, cpus: dict | None = None) -> dict:
    """One server, one generator run: N clients connect at once, closed loop, every byte checked."""
    cpus = cpus or echo_bench.cpu_plan()
    with Server(server, cpus["server"]) as running:
        overflows = echo_bench.listen_overflows()
        raw = run_loadgen(running.address[1], clients, size, seconds, cpus["clients"], running.proc.pid, drain=DRAIN)
        overflows = echo_bench.listen_overflows() - overflows
        ending = running.stop()
    return {"server": server, **summary(raw, cpus), "listen_overflows": overflows, "server_exit": ending}


def sweep(servers, clients, sizes, seconds=SECONDS, rounds=None, log=None) -> dict:
    """Every server at every N and S once, case by case (every server of a case one after another,
    so each is compared with the reference measured next to it in time); then the cases of
    `rounds` ({(N, S): rounds}) again, round by round, for the reference and the FAIR servers."""
    rounds = ROUNDS if rounds is None else rounds
    echo_bench.raise_nofile_limit()
    cpus = echo_bench.cpu_plan()
    report = {
        "generator": "tools/bench/loadgen.c", "reference": REFERENCE, "compiler": native.compiler(),
        "settings": {"servers": servers, "clients": clients, "sizes": sizes, "seconds": seconds,
                     "rounds": [[n, size, count] for (n, size), count in rounds.items()],
                     "repeated": [s for s in servers if s == REFERENCE or s in FAIR],
                     "ramp": RAMP, "warmup": WARMUP, "drain": DRAIN, "starved_after": STARVED_AFTER,
                     "stalled_after": STALLED_AFTER, "cpus": cpus},
        "runs": [], "skipped": [],
    }

    def run(server, n, size, round_):
        if (server, n) in SKIP:
            report["skipped"].append({"server": server, "clients": n, "size": size, "why": SKIP[server, n]})
            return
        try:
            result = measure(server, n, size, seconds, cpus)
        except Exception as err:  # one broken server must not lose the whole sweep
            result = {"server": server, "clients": n, "size": size, "error": f"{type(err).__name__}: {err}"}
        result["round"] = round_
        report["runs"].append(result)
        if log:
            log(result)

    for size in sizes:
        for n in clients:
            for server in servers:
                run(server, n, size, 0)
    for round_ in range(1, max(rounds.values(), default=1)):
        for (n, size), count in rounds.items():
            if round_ < count and n in clients and size in sizes:
                for server in report["settings"]["repeated"]:
                    run(server, n, size, round_)
    return report


STARTED = time.monotonic()


def print_progress(result: dict) -> None:
    where = (f"[{time.monotonic() - STARTED:.0f} s] C generator: {result['server']} N={result['clients']} "
             f"S={result['size']} round {result['round']}")
    if "error" in result:
        line = f"{where}: {result['error']}"
    else:
        line = (f"{where}: {result['rps']:.0f} req/s, {result['cpu_per_request_us']} µs CPU/req, "
                f"first echo ≤ {result['first_echo_max_ms']} ms, worst gap {result['worst_gap_max_ms']} ms, "
                f"starved {result['starved']}, stalled {result['stalled']}, server {result['server_cpu_share']:.0%}")
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.saturate", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=lambda s: s.split(","), default=SERVERS)
    parser.add_argument("--clients", type=echo_bench.numbers, default=CLIENTS)
    parser.add_argument("--sizes", type=echo_bench.numbers, default=SIZES)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--rounds", type=int, help="rounds of the N = 100, 64 B case (default: as make bench)")
    parser.add_argument("--out", help="write the JSON here (default: stdout)")
    args = parser.parse_args(argv)
    native.build()
    rounds = None if args.rounds is None else {(100, 64): args.rounds}
    report = sweep(args.servers, args.clients, args.sizes, args.seconds, rounds, log=print_progress)
    text = json.dumps(report, indent=1, ensure_ascii=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
