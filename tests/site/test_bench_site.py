"""`make bench-site` on a small synthetic vault: both configurations build it, ours strictly and
with every link rendered, and the report says what the README block must say. The figures
themselves are the benchmark's business, not the test's."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.site.helpers import mkdocs_build
from tools.site import bench


def test_the_synthetic_vault_builds_strictly_with_our_configuration(tmp_path):
    vault = bench.make_vault(tmp_path, 40)
    build = mkdocs_build(tmp_path / "site", vault=vault)
    assert build.returncode == 0, "\n".join(build.warnings() or [build.log[-3000:]])
    page = BeautifulSoup((tmp_path / "site" / "Раздел 01" / "Заметка 0001" / "index.html").read_text(), "html.parser")
    article = page.select_one("article")
    assert "[[" not in article.get_text() and "vaultlink" not in str(article)
    note_links = [a for a in article.select("a[href]") if "Заметка" in a.get_text()]
    assert len(note_links) >= 10, "the ~10 wiki-links of a synthetic note were not rendered"


def test_both_configurations_build_and_the_report_checks_the_targets():
    results = bench.run(sizes=(20, 40), repeats=1)
    assert set(results) == {20, 40}
    assert all(r["plain"] > 0 and r["ours"] > 0 and r["runs"] == 1 for r in results.values())
    table, ok = bench.report(results)
    ratio = results[40]["ours"] / results[40]["plain"]
    growth = (results[40]["ours"] / results[40]["notes"]) / (results[20]["ours"] / results[20]["notes"])
    assert f"**{ratio:.2f}×**" in table and f"**{growth:.2f}×**" in table
    assert ok == (ratio <= bench.TARGET_RATIO and growth <= bench.TARGET_GROWTH)
    assert f"is {results[40]['median_ratio']:.2f}×" in table  # one run each: the median is that run
