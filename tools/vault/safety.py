"""Raw HTML in a note is kept, made safe as Obsidian's reading view makes it (tools/site/sanitize.py,
over nh3); the vault model reports each piece the sanitizer would cut, so the check says so too."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def unsafe_html(fragment: str) -> tuple[str, ...]:
    from tools.site.sanitize import removed

    return tuple(removed(fragment))
