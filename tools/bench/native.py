"""The benchmark's C programs: the load generator and the reference echo server, built with the
system C compiler by the Makefile's rule (`make bench` depends on them; the tests build them the
same way, through make, when they are missing or older than their source)."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

from tools.vault import ROOT

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
LOADGEN = BUILD / "loadgen"
C_SERVER = BUILD / "c_echo_server"
PROGRAMS = (LOADGEN, C_SERVER)


def build() -> None:
    """Run the Makefile's rules for both programs; one builder at a time (test workers share them)."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        targets = [str(p.relative_to(ROOT)) for p in PROGRAMS]
        done = subprocess.run(["make", "--no-print-directory", "-s", *targets], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"building {', '.join(targets)} failed:\n{done.stdout}{done.stderr}")


def compiler() -> str:
    """The first line of `cc --version`: which compiler built them."""
    done = subprocess.run(["cc", "--version"], capture_output=True, text=True)
    return done.stdout.splitlines()[0] if done.returncode == 0 and done.stdout else "cc"
