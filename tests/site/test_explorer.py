"""The explorer of the vault's folders, on generated vaults of notes in nested folders: it lists
every folder and note, opens the current note's folders, navigates on a click, and a note's page
does not grow with the vault (the navigation carries the hub's reading order, not every note)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.site.conftest import serving
from tests.site.helpers import mkdocs_build, screenshot
from tests.vault_factory import FOOTER, make_vault

pytestmark = pytest.mark.timeout(240)
WAIT = 15_000
SAME = "Раздел 1/Глава 1-1/Заметка 000"  # the same note, word for word, in both vaults


def vault_of(root, count: int):
    """count notes in 4 folders of 3 subfolders each; note 000 is the same in every vault."""
    notes = {}
    for i in range(count):
        folder = f"Раздел {i % 4}/Глава {i % 4}-{i % 3}"
        text = f"Заметка номер {i}. Смотрите [[Заметка {(i + 1) % count:03d}]].\n" if i else "Первая заметка.\n"
        notes[f"{folder}/Заметка {i:03d}.md"] = text + FOOTER
    notes[f"{SAME}.md"] = "Первая заметка.\n" + FOOTER  # folder of i = 0 is "Раздел 0/Глава 0-0"
    del notes["Раздел 0/Глава 0-0/Заметка 000.md"]
    # Nothing links to note 000: its page has no backlinks, in either vault.
    notes = {k: v.replace("[[Заметка 000]]", "[[Заметка 001]]") for k, v in notes.items()}
    return make_vault(root, notes, hub=None)


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    sites = {}
    for count in (40, 300):
        root = tmp_path_factory.mktemp(f"vault{count}")
        build = mkdocs_build(root / "site", vault_of(root, count), strict=False)
        assert build.returncode == 0, build.log[-2000:]
        sites[count] = build.site
    return sites


def test_a_page_does_not_grow_with_the_vault(two_sites):
    sizes = {count: (site / SAME / "index.html").stat().st_size for count, site in two_sites.items()}
    # The page differs only in the names it counts (none here) and the build's own asset hashes.
    assert abs(sizes[300] - sizes[40]) < 200, sizes


def test_the_explorer_lists_every_folder_and_note_and_opens_the_current_one(browser, two_sites):
    site = two_sites[300]
    with serving(site) as base:
        context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="ru-RU")
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(base + quote(SAME) + "/", wait_until="load")
            page.wait_for_selector(".vault-explorer__link--current", state="attached", timeout=WAIT)
            explorer = page.locator(".vault-explorer")
            assert explorer.locator("a.vault-explorer__link").count() == 300
            folders = explorer.locator("details > summary").evaluate_all("els => els.map(e => e.textContent)")
            assert sorted(folders) == sorted(
                [f"Раздел {i}" for i in range(4)] + [f"Глава {i}-{j}" for i in range(4) for j in range(3)]
            )
            current = explorer.locator(".vault-explorer__link--current")
            assert current.inner_text() == "Заметка 000" and current.get_attribute("aria-current") == "page"
            # Its folders are open, the others closed.
            open_ = explorer.locator("details[open] > summary").evaluate_all("els => els.map(e => e.textContent)")
            assert open_ == ["Раздел 1", "Глава 1-1"]
            screenshot(page, "explorer")
            # In the dark theme too.
            page.locator("form[data-md-component=palette] label:visible").first.click()
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=WAIT)
            page.wait_for_timeout(300)
            screenshot(page, "explorer-dark")
            # A click on a closed folder opens it; a click on a note opens the note.
            explorer.locator("summary", has_text="Раздел 2").click()
            explorer.locator("summary", has_text="Глава 2-0").click()
            explorer.locator("a", has_text="Заметка 006").click()
            page.wait_for_url("**/" + quote("Заметка 006") + "/", timeout=WAIT)
            page.wait_for_selector(".vault-explorer__link--current", state="attached", timeout=WAIT)
            assert page.locator(".vault-explorer__link--current").inner_text() == "Заметка 006"
            # The keyboard reaches it too: Tab to a folder, Enter opens it.
            page.locator(".vault-explorer summary", has_text="Раздел 3").focus()
            page.keyboard.press("Enter")
            assert page.locator(".vault-explorer details:has(> summary:text-is('Раздел 3'))").get_attribute("open") is not None
            assert not errors, errors
        finally:
            context.close()
