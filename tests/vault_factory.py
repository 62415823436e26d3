"""Small vaults on disk for testing the tools, and a way to prove a tool wrote nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

FOOTER = "\n___\nRelations: [[asyncio Python]]\nTags: #theory\nReferences:\nQuery:\n"
HUB = "Hub text.\n" + FOOTER


def make_vault(root: Path, notes: dict[str, str | bytes], hub: str | None = HUB) -> Path:
    """A vault under root with the given files (text or bytes) and, unless told not to, a hub."""
    vault = root / "vault"
    vault.mkdir()
    files = dict(notes)
    if hub is not None:
        files.setdefault("asyncio Python.md", hub)
    for name, content in files.items():
        path = vault / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return vault


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file under the roots with a hash of its content."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for root in roots if root.exists()
        for path in sorted(root.rglob("*")) if path.is_file()
    }
