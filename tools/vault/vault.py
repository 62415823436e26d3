"""The vault: its notes and files, and Obsidian's way of finding the one a link names.

Resolving is a dictionary look-up by name (no scan of every note per link), so the cost grows
with the number of links. The same resolution serves the vault check, the site and the graph,
so they cannot disagree about a link.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from tools.vault.errors import NOT_NOTES, VAULT, VaultError
from tools.vault.note import Heading, Link, Note, norm

# File kinds Obsidian embeds with a viewer of its own (help: "Accepted file formats").
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif"}
AUDIO = {".mp3", ".wav", ".m4a", ".ogg", ".3gp", ".flac"}
VIDEO = {".mp4", ".webm", ".ogv", ".mov", ".mkv"}
PDF = {".pdf"}


@dataclass(frozen=True)
class Target:
    """What a link leads to: a note (with the heading or block it names) or a file."""

    note: Note | None = None
    file: str | None = None  # rel path of a file that is not a note
    heading: Heading | None = None
    block: str | None = None  # a block id of the note

    @property
    def kind(self) -> str:
        if self.note is not None:
            return "note"
        suffix = PurePosixPath(self.file or "").suffix.lower()
        for kind, suffixes in (("image", IMAGES), ("audio", AUDIO), ("video", VIDEO), ("pdf", PDF)):
            if suffix in suffixes:
                return kind
        return "file"


class Vault:
    """Every note and file of a vault, indexed by the names Obsidian resolves."""

    def __init__(self, root: Path, notes: dict[str, str], files: list[str], keep_tokens: bool = True):
        """notes: rel path → Markdown; files: rel paths of the other files. keep_tokens False: each
        note's parse is read (Note.find_all) and packed (Note.pack_tokens) before the next note is
        parsed, so the vault never holds every note's tokens at once (the site: a build of 10,000
        notes stays under 1 GiB; it unpacks each note's tokens to render it, at about a quarter of
        the cost of a second parse)."""
        self.root = root
        self.notes: dict[str, Note] = {}
        for rel, text in sorted(notes.items()):
            note = self.notes[rel] = Note(rel, text, root / rel)
            if not keep_tokens:
                note.find_all().pack_tokens()
        self.files = sorted(files)
        self.by_path: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        for rel in [*self.notes, *self.files]:
            self.by_path[norm(rel)] = rel
            name = norm(PurePosixPath(rel).name)
            self.by_name.setdefault(name, []).append(rel)
            if rel in self.notes:
                self.by_name.setdefault(name[:-3], []).append(rel)
        self.by_alias: dict[str, Note] = {}
        for note in self.notes.values():
            for alias in note.aliases:
                self.by_alias.setdefault(norm(alias), note)
        self.unreadable: list[VaultError] = []
        self._candidates: dict[tuple[str, str], list[str]] = {}  # the check, the site and the graph ask alike

    @classmethod
    def load(cls, root: Path = VAULT) -> Vault:
        """The vault on disk (Obsidian's settings and the templates left out)."""
        notes, files, unreadable = {}, [], []
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or rel.split("/", 1)[0] in NOT_NOTES:
                continue
            if path.suffix == ".md":
                try:
                    notes[rel] = read_note(path)
                except VaultError as err:
                    unreadable.append(err)
            else:
                files.append(rel)
        vault = cls(root, notes, files)
        vault.unreadable = unreadable
        return vault

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # -- resolving -----------------------------------------------------------------------------

    def candidates(self, target: str, folder: str = "") -> list[str]:
        """The rel paths a link target written in `folder` can mean, best first (Obsidian's order)."""
        key = (target, folder)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self._find(target, folder)
        return found

    def _find(self, target: str, folder: str) -> list[str]:
        path = target.strip().replace("\\", "/")
        if path.startswith(("./", "../")):
            path = posixpath.normpath(posixpath.join(folder, path))
        key = norm(path.lstrip("/"))
        for exact in (key, key + ".md"):
            if exact in self.by_path:
                return [self.by_path[exact]]
        found = self.by_name.get(key.rsplit("/", 1)[-1], [])
        if "/" in key:
            found = [rel for rel in found if ("/" + norm(rel)).endswith(("/" + key, "/" + key + ".md"))]
        # Obsidian prefers the file next to the linking note, then the shortest path.
        return sorted(set(found), key=lambda rel: (posixpath.dirname(rel) != folder, rel.count("/"), rel))

    def find_note(self, name: str) -> Note | None:
        """The note a link from the vault's root to `name` would open."""
        found = self.candidates(name)
        return self.notes.get(found[0]) if found else None

    def resolve(self, link: Link, source: Note) -> Target | None:
        """What the link names, or None when the vault has nothing by that name."""
        if not link.target:
            rel = source.rel
        else:
            found = self.candidates(link.target, source.folder)
            if not found and "/" not in link.target:
                alias = self.by_alias.get(norm(link.target))
                found = [alias.rel] if alias else []
            if not found:
                return None
            rel = found[0]
        note = self.notes.get(rel)
        if note is None:
            return Target(file=rel)
        anchor = link.anchor or ""
        if anchor.startswith("^"):
            return Target(note, block=anchor[1:] if anchor[1:] in note.block_ids else None)
        return Target(note, heading=note.heading(anchor) if anchor else None)

    # -- problems ------------------------------------------------------------------------------

    def link_problem(self, note: Note, link: Link) -> VaultError | None:
        """Why this link would not work in Obsidian or on the site, or None."""
        kind = "embed" if link.embed else "link"
        if link.target:
            found = self.candidates(link.target, note.folder)
            if len(found) > 1:
                names = ", ".join(found)
                return VaultError(note.path, link.line, f"{link.raw} could mean any of {names}",
                                  f"write the path, e.g. [[{found[0].removesuffix('.md')}]], or rename one")
        target = self.resolve(link, note)
        if target is None:
            return VaultError(note.path, link.line, f"{kind} {link.raw} points to nothing in the vault",
                              "fix the name, or create the note or put the file in attachments/")
        anchor = link.anchor
        if target.note is None or not anchor:
            return None
        if anchor.startswith("^") and target.block is None:
            return VaultError(note.path, link.line, f"{link.raw}: {target.note.rel} has no block {anchor}",
                              f"end the paragraph there with ' {anchor}', or fix the id")
        if not anchor.startswith("^") and target.heading is None:
            return VaultError(note.path, link.line, f"{link.raw}: {target.note.rel} has no heading {anchor!r}",
                              "use a heading the note has (copy it exactly), or add it")
        return None

    def note_problems(self, note: Note) -> list[VaultError]:
        """What is wrong in a note by Obsidian's rules and by the site's (the same list for both)."""
        from tools.vault.safety import unsafe_html  # the sanitizer is the site's, the rule is the vault's

        problems = [p for link in [*note.links, *note.html_links] if (p := self.link_problem(note, link)) is not None]
        problems += [
            VaultError(note.path, b.line, "this code block is never closed", f"add a line {'`' * 3} after its code")
            for b in note.code_blocks if not b.closed
        ]
        for line, fragment in note.raw_html:
            removed = unsafe_html(fragment)
            if removed:
                problems.append(VaultError(note.path, line, f"raw HTML with {', '.join(removed)}",
                                           "remove it: the site drops it, as Obsidian's reading view does"))
        return sorted(problems, key=lambda p: p.line)

    def problems(self) -> list[VaultError]:
        found = list(self.unreadable)
        for note in self.notes.values():
            found += self.note_problems(note)
        return found

    def reading_order(self, hub: Note) -> list[tuple[str, list[Note]]]:
        """The hub's lists of notes, in order, each under its heading (notes named twice: once)."""
        seen: set[str] = {hub.rel}
        order = []
        for heading, links in hub.link_lists:
            notes = []
            for link in links:
                target = self.resolve(link, hub)
                if target is not None and target.note is not None and target.note.rel not in seen:
                    seen.add(target.note.rel)
                    notes.append(target.note)
            if notes:
                order.append((heading, notes))
        return order

    # -- the graph -----------------------------------------------------------------------------

    @cached_property
    def edges(self) -> dict[str, list[str]]:
        """rel → the notes it links to or embeds (no self-links, no repeats)."""
        result: dict[str, list[str]] = {}
        for note in self.notes.values():
            out: list[str] = []
            for link in note.links:
                if not link.target:
                    continue
                target = self.resolve(link, note)
                if target is not None and target.note is not None and target.note is not note:
                    if target.note.rel not in out:
                        out.append(target.note.rel)
            result[note.rel] = out
        return result

    @cached_property
    def backlinks(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {rel: [] for rel in self.notes}
        for source, targets in self.edges.items():
            for target in targets:
                result[target].append(source)
        return result

    def graph(self, url_of) -> dict:
        """Nodes and links for the graph view; url_of(rel) gives each note's site URL."""
        degree = {rel: 0 for rel in self.notes}
        links = []
        for source, targets in self.edges.items():
            for target in targets:
                links.append({"source": source, "target": target})
                degree[source] += 1
                degree[target] += 1
        nodes = [
            {"id": note.rel, "title": note.title, "url": url_of(note.rel), "folder": note.folder,
             "tags": [t.name for t in note.tags], "degree": degree[note.rel]}
            for note in self.notes.values()
        ]
        return {"nodes": nodes, "links": links}


def read_note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise VaultError(path, line, "the note is not UTF-8", "save it as UTF-8 (Obsidian always does)") from None
