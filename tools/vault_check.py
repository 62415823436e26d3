"""`python -m tools.vault_check`: the vault by Obsidian's rules, one line per problem.

The links, embeds, anchors, fences and raw HTML are the vault model's problems (tools/vault), the
same ones the site build reports; on top of them the house rules: every note has the footer and a
tag, is reachable from the hub, and has a name a Windows checkout can hold.
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path

from tools.vault import VAULT, Note, Vault, VaultError
from tools.vault.note import FOOTER_KEYS

HUB = "asyncio Python"
WINDOWS_FORBIDDEN = set('<>:"\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def check_footer(note: Note) -> list[VaultError]:
    footer = note.footer
    if footer is None:
        last = note.source.count("\n") or 1
        return [VaultError(note.path, last, "the note has no footer",
                           "end it with ___ and the lines Relations:, Tags:, References:, Query: (see templates/)")]
    keys = [row.key for row in footer.rows]
    problems = [
        VaultError(note.path, footer.line, f"the footer has no {key}: line", f"add a line '{key}:' after ___ (see templates/)")
        for key in FOOTER_KEYS if key not in keys
    ]
    if not problems and keys != sorted(keys, key=FOOTER_KEYS.index):
        problems.append(VaultError(note.path, footer.line, "the footer lines are out of order",
                                   "write them as Relations:, Tags:, References:, Query:"))
    tags_row = next((row for row in footer.rows if row.key == "Tags"), None)
    if tags_row is not None and not any(child.type == "tag" for child in tags_row.children):
        problems.append(VaultError(note.path, tags_row.line, "the note has no tag",
                                   "add one on the Tags: line, e.g. #theory"))
    return problems


def check_name(vault: Vault, path: Path) -> list[VaultError]:
    problems = []
    for part in path.relative_to(vault.root).parts:
        bad = sorted(WINDOWS_FORBIDDEN & set(part))
        stem = part.split(".", 1)[0].upper()
        if bad or part.endswith((".", " ")) or stem in WINDOWS_RESERVED or any(ord(c) < 32 for c in part):
            problems.append(VaultError(path, 1, f"the name {part!r} cannot exist on Windows",
                                       'rename it without <>:"\\|?*, a trailing dot or space, or a reserved name like CON'))
    if path.suffix == ".py":
        problems.append(VaultError(path, 1, "a .py file in the vault would be published and imported by pytest",
                                   "write the program as a titled code block; make tangle puts it in code/"))
    return problems


def check_reachable(vault: Vault, hub: str) -> list[VaultError]:
    start = vault.notes.get(f"{hub}.md")
    if start is None:
        return [VaultError(vault.root / f"{hub}.md", 1, f"the hub note {hub!r} is missing",
                           "create it and link every note from it")]
    seen, queue = {start.rel}, deque([start.rel])
    while queue:
        for target in vault.edges[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [
        VaultError(note.path, 1, f"the note cannot be reached from [[{hub}]]",
                   f"link it from [[{hub}]] or from a note the hub links")
        for note in vault.notes.values() if note.rel not in seen
    ]


def check_vault(root: Path = VAULT, hub: str = HUB) -> list[VaultError]:
    vault = Vault.load(root)
    problems: list[VaultError] = []
    for rel in sorted([*vault.notes, *vault.files]):
        problems += check_name(vault, root / rel)
    problems += vault.unreadable
    for note in vault.notes.values():
        found = check_footer(note) + vault.note_problems(note)
        problems += sorted(found, key=lambda p: p.line)
    problems += check_reachable(vault, hub)
    return problems


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else VAULT
    problems = check_vault(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the vault", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
