"""Property: on any vault, `make check` passes exactly when `mkdocs build --strict` passes, and both
name the same lines. Generated notes mix links that resolve and links that do not, with the places
Obsidian does not read links from (code spans, indented code, comments) and both kinds of anchor."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.vault_factory import FOOTER, make_vault
from tools.vault import ROOT
from tools.vault_check import check_vault

pytestmark = pytest.mark.timeout(240)

NAMES = ["Альфа", "Бета", "Папка/Гамма", "Нет такой"]
ANCHORS = ["", "#Раздел", "#Нет раздела", "#^fact", "#^nope"]


@st.composite
def pieces(draw) -> str:
    name = draw(st.sampled_from(NAMES))
    short = name.rsplit("/", 1)[-1]
    link = f"[[{draw(st.sampled_from([name, short]))}{draw(st.sampled_from(ANCHORS))}]]"
    return draw(st.sampled_from([
        link, "!" + link, f"`{link}`", f"%%{link}%%", f"\n    {link} = 1\n", f"Текст {link} и ещё.",
        "## Раздел", "Факт. ^fact", "- пункт " + link, "> " + link, f"| a |\n|---|\n| {link} |",
    ]))


def note_body(parts: list[str]) -> str:
    return "\n\n".join(parts) + "\n" + FOOTER


def strict_build(vault: Path, site: Path) -> list[str]:
    """Build in this process with --strict; the warnings, or [] when the build passed."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(vault), site_dir=str(site), strict=True)
        try:
            build(config)
        except Abort:
            assert warnings, "the strict build stopped with no warning"
    finally:
        logger.removeHandler(handler)
    return warnings


# Each example is a whole site build (about a second), so no shrinking: a failure shows the vault
# as generated.
@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.dictionaries(st.sampled_from(NAMES[:3]), st.lists(pieces(), min_size=1, max_size=6), min_size=3))
def test_check_passes_exactly_when_the_strict_build_does(notes):
    with tempfile.TemporaryDirectory() as tmp:
        files = {f"{name}.md": note_body(parts) for name, parts in notes.items()}
        hub = " ".join(f"[[{name}]]" for name in notes) + "\n" + FOOTER
        vault = make_vault(Path(tmp), files, hub=hub)
        checked = sorted(str(p).split(str(vault) + "/", 1)[1] for p in check_vault(vault))
        built = sorted(w.split(str(vault) + "/", 1)[1] for w in strict_build(vault, Path(tmp) / "site")
                       if str(vault) in w)
        assert checked == built
