"""Where the project lives, and the one shape of every problem a note can have."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAULT = ROOT / "vault"
CODE = ROOT / "code"
# Folders of the vault that hold no notes: Obsidian's settings and the note template.
NOT_NOTES = (".obsidian", "templates")


def display(path: Path) -> str:
    """A path as the user would type it from the project root."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


class VaultError(Exception):
    """A problem in a note, worded `vault/<note>.md:<line>: <what is wrong> — <how to fix it>`."""

    def __init__(self, path: Path, line: int, what: str, fix: str):
        self.path, self.line, self.what, self.fix = path, line, what, fix
        super().__init__(f"{display(path)}:{line}: {what} — {fix}")
