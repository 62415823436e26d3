"""`make bench`: run both sweeps, then write what is drawn from them into vault/attachments/.

    python -m tools.bench              # measure (about five minutes), then draw and write everything
    python -m tools.bench --no-run     # only draw and write again from the stored JSON

The sweeps: code/echo_bench.py, the note's Python load generator, over every server; then
tools/bench/saturate.py, the load generator in C, over every server and the reference server in C.
Writes attachments/echo-bench.json (the second sweep under "saturating"), the SVG plots, the table
note the benchmark note transcludes, the figures between the README's bench markers (if it has
them), and the notebook with its outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from tools.bench import native, notebook, plots, report, saturate
from tools.vault import CODE, display


# `--quick`: a short run of both sweeps for development (the servers the targets are about, 64 B).
QUICK_PYTHON = ["--servers", "selectors,asyncio_sock,asyncio_streams", "--clients", "100,10000", "--sizes", "64",
                "--repeats", "1", "--idle-seconds", "0.2"]
QUICK_C = {"servers": [saturate.REFERENCE, *saturate.FAIR], "clients": saturate.CLIENTS, "sizes": [64],
           "rounds": {(100, 64): 2}}


def measure(extra: list[str], quick: bool = False) -> None:
    """Both sweeps, the first as a reader would run it; the JSON replaces the stored one only when complete."""
    native.build()  # `make bench` has built them already; a direct run builds them here
    fd, tmp = tempfile.mkstemp(dir=report.ATTACHMENTS, prefix=".echo-bench.", suffix=".json")
    os.close(fd)
    try:
        python_args = [*(QUICK_PYTHON if quick else []), *extra]
        subprocess.run([sys.executable, str(CODE / "echo_bench.py"), "--out", tmp, *python_args], cwd=CODE, check=True)
        with open(tmp, encoding="utf-8") as file:
            data = json.load(file)
        c_sweep = QUICK_C if quick else {"servers": saturate.SERVERS, "clients": saturate.CLIENTS,
                                         "sizes": saturate.SIZES, "rounds": saturate.ROUNDS}
        data["saturating"] = saturate.sweep(**c_sweep, log=saturate.print_progress)
        with open(tmp, "w", encoding="utf-8") as file:
            file.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a file of the vault
        os.replace(tmp, report.RESULTS)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="draw and write from the stored JSON only")
    parser.add_argument("--quick", action="store_true", help="a short run of both sweeps, for development")
    parser.add_argument("extra", nargs="*", help="passed to code/echo_bench.py (after --)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if not args.no_run:
        measure(args.extra, args.quick)
        print(f"measured in {time.monotonic() - started:.0f} s", file=sys.stderr)
    data = report.load()
    for path in plots.save_all(data):
        print(f"wrote {display(path)}")
    report.TABLE_NOTE.write_text(report.table_note(data), encoding="utf-8")
    print(f"wrote {display(report.TABLE_NOTE)}")
    if report.update_readme(data):
        print(f"wrote {display(report.README)} (between its bench markers)")
    notebook.execute(save=True)
    print(f"wrote {display(notebook.NOTEBOOK)} with its outputs")
    print(f"done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
