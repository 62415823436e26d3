"""Run a note's checks against a flawed variant of its program, shown in the note as a `notest` block.

    python -m tools.flawed "vault/Модуль selectors.md" 120

The note's program blocks run first (as pytest-markdown-docs runs them, in a module named `fence`),
then the flawed block replaces the functions it redefines, then the note's try-it blocks run in
order. Exit status 0 when a check fails with AssertionError (the checks catch the flaw), 1 when
every check passes. Run it in a child process: a flawed server may be left spinning in a thread.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from tools.vault import Block, code_blocks, display


def _run(block: Block, namespace: dict) -> None:
    # Padding keeps the note's line numbers in tracebacks.
    source = "\n" * block.line + block.source
    exec(compile(source, str(block.path), "exec", dont_inherit=True), namespace)


def caught_by(note: Path, flaw_line: int) -> str | None:
    """Where and how the note's checks catch the flaw, or None if they all pass."""
    blocks = [b for b in code_blocks(note) if b.is_python]
    flaw = next((b for b in blocks if b.line == flaw_line and b.notest), None)
    if flaw is None:
        raise SystemExit(f"{display(note)}:{flaw_line}: no notest python block starts here")
    namespace = types.ModuleType("fence").__dict__
    for block in blocks:
        if block.title and not block.notest:
            _run(block, namespace)
    _run(flaw, namespace)
    for block in blocks:
        if block.title or block.notest:
            continue
        try:
            _run(block, namespace)
        except AssertionError as err:
            return f"{block.where}: {err}"
    return None


def main() -> int:
    note, line = Path(sys.argv[1]), int(sys.argv[2])
    where = caught_by(note, line)
    if where is None:
        print(f"{display(note)}:{line}: every check passed against this flawed variant", file=sys.stderr)
        return 1
    print(f"caught by {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
