"""`make bench`: run the whole sweep, then write what is drawn from it into vault/attachments/.

    python -m tools.bench              # measure (a few minutes), then draw and write everything
    python -m tools.bench --no-run     # only draw and write again from the stored JSON

Writes attachments/echo-bench.json, the SVG plots, the table note the benchmark note transcludes,
the figures between the README's bench markers (if it has them), and the notebook with its outputs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from tools.bench import notebook, plots, report
from tools.vault import CODE, display


def measure(extra: list[str]) -> None:
    """The sweep, as a reader would run it; the JSON replaces the stored one only when complete."""
    fd, tmp = tempfile.mkstemp(dir=report.ATTACHMENTS, prefix=".echo-bench.", suffix=".json")
    os.close(fd)
    try:
        subprocess.run([sys.executable, str(CODE / "echo_bench.py"), "--out", tmp, *extra], cwd=CODE, check=True)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a file of the vault
        os.replace(tmp, report.RESULTS)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="draw and write from the stored JSON only")
    parser.add_argument("extra", nargs="*", help="passed to code/echo_bench.py (after --)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if not args.no_run:
        measure(args.extra)
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
