"""Run a note's checks against a flawed variant of its program, shown in the note as a `notest` block.

    python -m tools.flawed "vault/Модуль selectors.md" 120

The note's program blocks run first, each program as the module its title names
(`selectors_echo_server.py` becomes the module `selectors_echo_server`, put in `sys.modules`); then
the flawed block replaces, in the program that defines them, the functions it redefines; then the
note's try-it blocks run in order, each in a namespace of its own, as it runs alone. A try-it
block imports the program it tries (`from selectors_echo_server import serve`), so it gets the
flawed one. Exit status 0 when a check fails with AssertionError (the checks catch the flaw), 1
when every check passes. Run it in a child process: a flawed server may be left spinning in a thread.
"""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

from tools.vault import Block, code_blocks, display


def _run(block: Block, namespace: dict) -> None:
    # Padding keeps the note's line numbers in tracebacks.
    source = "\n" * block.line + block.source
    exec(compile(source, str(block.path), "exec", dont_inherit=True), namespace)


def defined_names(block: Block) -> set[str]:
    """The names a block defines at its top level: functions, classes, assignments."""
    names = set()
    for node in ast.parse(block.source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def load_programs(blocks: list[Block]) -> dict[str, types.ModuleType]:
    """The note's programs, each run from its blocks as the module its title names, in sys.modules."""
    programs: dict[str, types.ModuleType] = {}
    for block in blocks:
        if block.title and not block.notest:
            name = block.title.removesuffix(".py")
            if name not in programs:
                # Registered before it runs: a later program of the note imports the earlier one.
                programs[name] = sys.modules[name] = types.ModuleType(name)
            _run(block, vars(programs[name]))
    return programs


def caught_by(note: Path, flaw_line: int) -> str | None:
    """Where and how the note's checks catch the flaw, or None if they all pass."""
    blocks = [b for b in code_blocks(note) if b.is_python]
    flaw = next((b for b in blocks if b.line == flaw_line and b.notest), None)
    if flaw is None:
        raise SystemExit(f"{display(note)}:{flaw_line}: no notest python block starts here")
    programs = load_programs(blocks)
    names = defined_names(flaw)
    owners = [module for module in programs.values() if names <= vars(module).keys()]
    if len(owners) != 1:
        raise SystemExit(
            f"{flaw.where}: the flawed block redefines {', '.join(sorted(names)) or 'nothing'}, "
            f"which {len(owners)} of the note's programs define: it must replace part of exactly one"
        )
    _run(flaw, vars(owners[0]))
    for block in blocks:
        if block.title or block.notest:
            continue
        try:
            _run(block, {"__name__": "__main__"})
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
