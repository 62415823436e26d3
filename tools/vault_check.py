"""`python -m tools.vault_check`: the vault by Obsidian's rules, one line per problem.

Checks that every wiki-link and embed resolves (by path, or by a file name that only one file has),
that heading and block anchors exist, that every note has the house footer and a tag and is
reachable from the hub, and that file names would survive a Windows checkout.

obsidiantools builds a similar link graph, but it reports neither line numbers nor ambiguous
names nor missing anchors, and it pulls in pandas; the rules are short enough to state here.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from tools.blocks import NOT_NOTES, VAULT, VaultError, code_blocks, code_line_ranges, note_paths, read_note

HUB = "asyncio Python"
FOOTER = ("Relations:", "Tags:", "References:", "Query:")

# [[target#anchor|alias]] and ![[...]]; in tables Obsidian writes the alias bar as "\|".
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$")
TAG = re.compile(r"(?:^|\s)#([^\s#`'\"!?.,;:()\[\]{}]+)")
WINDOWS_FORBIDDEN = set('<>:"\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Link:
    path: Path
    line: int
    embed: bool
    target: str  # file part, may be empty for a link inside the same note
    anchor: str | None
    raw: str


def normalise(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class Vault:
    """The files of a vault and Obsidian's way of finding one by a link's target."""

    def __init__(self, root: Path = VAULT):
        self.root = root
        self.files = sorted(
            p for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] not in NOT_NOTES
        )
        self.notes = note_paths(root)
        self.by_path: dict[str, Path] = {}
        self.by_name: dict[str, list[Path]] = defaultdict(list)
        for path in self.files:
            rel = path.relative_to(root).as_posix()
            self.by_path[normalise(rel)] = path
            self.by_name[normalise(path.name)].append(path)
            if path.suffix == ".md":
                self.by_path[normalise(rel[:-3])] = path
                self.by_name[normalise(path.stem)].append(path)

    def resolve(self, link: Link) -> Path:
        """The file a link points to, or VaultError saying why there is none."""
        if not link.target:
            return link.path
        key = normalise(link.target.strip().lstrip("/"))
        if "/" in key:
            found = self.by_path.get(key)
            if found:
                return found
        candidates = sorted(set(self.by_name.get(key.rsplit("/", 1)[-1], [])))
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            names = ", ".join(self.rel(p) for p in candidates)
            raise VaultError(
                link.path, link.line, f"[[{link.target}]] could mean any of {names}",
                "write the path, e.g. [[" + self.rel(candidates[0]).removesuffix(".md") + "]], or rename one",
            )
        kind = "embed" if link.embed else "link"
        raise VaultError(
            link.path, link.line, f"{kind} {link.raw} points to nothing in the vault",
            "fix the name, or create the note or put the file in attachments/",
        )

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def links_of(path: Path, text: str) -> list[Link]:
    """Every wiki-link and embed outside code, with its line number."""
    lines = text.splitlines()
    in_code = {n for r in code_line_ranges(text) for n in r}
    links = []
    for number, line in enumerate(lines):
        if number in in_code:
            continue
        for match in WIKILINK.finditer(INLINE_CODE.sub(lambda m: " " * len(m[0]), line)):
            inner = match[2].replace("\\|", "|")
            target = inner.split("|", 1)[0]
            target, _, anchor = target.partition("#")
            links.append(Link(path, number + 1, bool(match[1]), target.strip(), anchor.strip() or None, match[0]))
    return links


def anchors_of(text: str) -> tuple[set[str], set[str]]:
    """Heading texts (normalised) and block ids of a note, code left out."""
    in_code = {n for r in code_line_ranges(text) for n in r}
    headings, blocks = set(), set()
    for number, line in enumerate(text.splitlines()):
        if number in in_code:
            continue
        heading = HEADING.match(line)
        if heading:
            headings.add(normalise(heading[2]))
        block = BLOCK_ID.search(line)
        if block:
            blocks.add(block[1])
    return headings, blocks


def check_footer(path: Path, text: str) -> list[VaultError]:
    lines = text.splitlines()
    try:
        start = max(i for i, line in enumerate(lines) if line.strip() == "___")
    except ValueError:
        return [VaultError(path, len(lines) or 1, "the note has no footer",
                           "end it with ___ and the lines Relations:, Tags:, References:, Query: (see templates/)")]
    problems = []
    footer = lines[start + 1:]
    found = [next((i for i, line in enumerate(footer) if line.startswith(key)), None) for key in FOOTER]
    for key, index in zip(FOOTER, found):
        if index is None:
            problems.append(VaultError(path, start + 1, f"the footer has no {key} line",
                                       f"add a line '{key}' after ___ (see templates/)"))
    present = [i for i in found if i is not None]
    if not problems and present != sorted(present):
        problems.append(VaultError(path, start + 1, "the footer lines are out of order",
                                   "write them as Relations:, Tags:, References:, Query:"))
    if found[1] is not None and not TAG.search(footer[found[1]][len("Tags:"):]):
        problems.append(VaultError(path, start + 2 + found[1], "the note has no tag",
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


def check_vault(root: Path = VAULT, hub: str = HUB) -> list[VaultError]:
    vault = Vault(root)
    problems: list[VaultError] = []
    for path in vault.files:
        problems += check_name(vault, path)
    texts: dict[Path, str] = {}
    for path in vault.notes:
        try:
            texts[path] = read_note(path)
        except VaultError as err:
            problems.append(err)
    anchors = {path: anchors_of(text) for path, text in texts.items()}
    graph: dict[Path, set[Path]] = defaultdict(set)
    for path, text in texts.items():
        problems += check_footer(path, text)
        problems += [
            VaultError(path, b.line, "this code block is never closed", f"add a line {'`' * 3} after its code")
            for b in code_blocks(path, text) if not b.closed
        ]
        for link in links_of(path, text):
            try:
                target = vault.resolve(link)
            except VaultError as err:
                problems.append(err)
                continue
            graph[path].add(target)
            if link.anchor and target in anchors:
                headings, blocks = anchors[target]
                anchor = link.anchor.split("#")[-1].strip()  # [[Note#Part#Subpart]] names the last
                if anchor.startswith("^"):
                    found = anchor[1:] in blocks
                else:
                    found = normalise(anchor) in headings
                if not found:
                    problems.append(VaultError(
                        path, link.line, f"{link.raw}: {vault.rel(target)} has no heading or block {link.anchor!r}",
                        "use a heading the note has (copy it exactly), or add it",
                    ))
    problems += check_reachable(vault, graph, hub)
    return problems


def check_reachable(vault: Vault, graph: dict[Path, set[Path]], hub: str) -> list[VaultError]:
    start = vault.by_path.get(normalise(hub))
    if start is None:
        return [VaultError(vault.root / f"{hub}.md", 1, f"the hub note {hub!r} is missing",
                           "create it and link every note from it")]
    seen, queue = {start}, deque([start])
    while queue:
        for target in graph[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [
        VaultError(path, 1, f"the note cannot be reached from [[{hub}]]",
                   f"link it from [[{hub}]] or from a note the hub links")
        for path in vault.notes if path not in seen
    ]


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
