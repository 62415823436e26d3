"""The site shows what the last test run did with every python block (tools/site/checks.py):
the fixture vault built with a results file of every state, and the real vault built with none."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from tests.site.fixture_results import EXPECTED
from tools.checks.verify import problems
from tools.vault import VAULT, Vault


def soup(site, rel: str) -> BeautifulSoup:
    path = site / (rel.removesuffix(".md") + "/index.html" if rel != "index.md" else "index.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def blocks(site, rel: str):
    article = soup(site, rel).select_one("article")
    return [div for div in article.select("div.highlight[data-check]") if div.find_parent(class_="vault-embed") is None]


def test_every_state_is_on_its_block(fixture_build):
    for rel in ("Альфа.md", "Папка/Гамма.md"):
        expected = [state for (note, _line), state in EXPECTED.items() if note == rel]
        shown = blocks(fixture_build.site, rel)
        assert [div["data-check"] for div in shown] == expected, rel
        for div in shown:
            badge = div.select_one("details.vault-check")
            assert badge is not None and f"vault-check--{div['data-check']}" in badge["class"]
    passed, failed, stale, notest = blocks(fixture_build.site, "Альфа.md")
    summary = passed.select_one("summary").get_text()
    assert summary == "✓ проверено · 0,42 с · Python 3.11 · 1 декабря 2026"
    assert "тесты из tests/: 2, все прошли" in passed.get_text(" ", strip=True).replace(" :", ":")
    assert 'pytest "vault/Альфа.md::[CodeFence#1][line:10]"' in passed.get_text()
    assert "NameError: name 'x' is not defined" in failed.get_text()
    assert "изменился после последнего запуска" in stale.get_text()
    assert 'pytest "vault/Альфа.md::[CodeFence#3][line:23]"' in stale.get_text()
    assert "a syntax error on purpose" in notest.get_text()
    not_run, flawed = blocks(fixture_build.site, "Папка/Гамма.md")
    assert "make test" in not_run.get_text()
    assert "vault/Папка/Гамма.md:3: AssertionError" in flawed.get_text()
    # A block in an embedded note shows its own note's state too (Бета embeds a section of Альфа, and Гамма).
    embedded = soup(fixture_build.site, "Бета.md").select(".vault-embed div.highlight[data-check]")
    assert [div["data-check"] for div in embedded] == ["passed", "not-run", "flawed"]


def test_the_checks_page_lists_every_note_with_blocks(fixture_build):
    page = soup(fixture_build.site, "checks.md")
    assert page.select_one("article h1").get_text(strip=True) == "Проверки"
    notes = [a.get_text() for a in page.select("article h2 a")]
    assert notes == ["Альфа", "Гамма"]
    rows = [tr["data-check"] for tr in page.select("table.vault-checks tbody tr")]
    assert rows == list(EXPECTED.values())
    assert "коммит 0123456789ab" in " ".join(page.get_text(" ").split())
    line = next(p for p in soup(fixture_build.site, "index.md").select("article p")
                if "Из 6 блоков кода на Python" in p.get_text())
    assert "тесты запустили 2, прошли 1" in line.get_text()
    assert line.select_one('a[href="checks/"]') is not None, line  # a live link, not unresolved text


def test_search_finds_the_checks_page_but_not_a_note_again_in_it(fixture_build):
    index = json.loads((fixture_build.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    checks_docs = [doc for doc in index["docs"] if doc["location"].startswith("checks/")]
    assert "checks/" in [doc["location"] for doc in checks_docs], "the checks page is not in the search index"
    for doc in checks_docs:  # the page and its title's section, none for a note (Альфа, Гамма)
        assert "Альфа" not in doc["title"] + doc["text"], f"a note's part of the report is indexed: {doc}"
    assert any(doc["location"] == "%D0%90%D0%BB%D1%8C%D1%84%D0%B0/" for doc in index["docs"])


def test_with_no_results_every_block_of_the_vault_is_not_run(site, site_build):
    vault = Vault.load(VAULT)
    found = problems(site, vault)
    count = sum(1 for note in vault.notes.values() for b in note.code_blocks if b.is_python)
    assert len(found) == count and all("«not-run»" in line for line in found), found[:3]
    assert "Результатов тестов пока нет" in soup(site, "checks.md").get_text()
    said = [line for line in site_build.log.splitlines() if "no test results" in line]
    assert len(said) == 1 and "`make test` records them" in said[0], site_build.log[-2000:]
