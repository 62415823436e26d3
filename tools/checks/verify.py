"""Check a built site against the vault: every python block of every note shows a state, and on a
green run none is failed, stale or not run.

    python -m tools.checks.verify site        # after `make test` and `make build`; CI runs it

One line per problem, naming the note and the block's line; exit status 1 if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.checks import results
from tools.site.audit import read_article
from tools.vault import VAULT, Vault

BAD = (results.FAILED, results.STALE, results.NOT_RUN)


def problems(site: Path, vault: Vault) -> list[str]:
    found = []
    for note in vault.notes.values():
        lines = [b.line for b in note.code_blocks if b.is_python]
        if not lines:
            continue
        page = site / note.rel.removesuffix(".md") / "index.html"
        if note.rel.removesuffix(".md") == "index":
            page = site / "index.html"
        if not page.exists():
            found.append(f"vault/{note.rel}: no page at {page}")
            continue
        article = read_article(page)
        shown = [div for div in article.select("[data-check]") if div.find_parent(class_="vault-embed") is None
                 and "highlight" in div.get("class", [])]
        if len(shown) != len(lines):
            found.append(f"vault/{note.rel}: {len(lines)} python blocks, {len(shown)} show a state on the page")
        for line, div in zip(lines, shown):
            if div["data-check"] in BAD:
                found.append(f"vault/{note.rel}:{line}: the block shows «{div['data-check']}» — "
                             f"run `{results.TEST_COMMAND}` and rebuild, or fix what failed")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site = Path(args[0] if args else "site")
    found = problems(site, Vault.load(VAULT))
    for line in found:
        print(line)
    if not found:
        print(f"every python block of the vault shows its test state in {site}, none failed or stale")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
