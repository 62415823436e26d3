"""`make bench-site`: how much our rendering of the notes costs against plain Material.

Synthetic vaults of 500, 2,000 and 10,000 notes (20 folders) are built twice in the same run, over
the same files: by plain Material and by our full configuration (mkdocs.yml). Each note has what the
real vaults have: ~10 wiki-links (one to a heading, one with an alias, one to another note's block
id), a list right after a paragraph line with a nested list (2-space indent), a block id, an inline
`%%comment%%` and a `%%` comment block, inline and block math, a task list, a footnote, a titled
code block, a callout and the house footer with 2 inline tags. Every link resolves, and both builds
run with `--strict`, so neither is timed on the path that reports a warning.

The baseline is a fixed configuration, what a Material user would write for this content: our
theme and features (navigation.prune included), the search plugin, no hooks, the links left raw,
and the Python-Markdown extensions of the configuration the site had before it rendered the notes
itself (PLAIN_EXTENSIONS: the old mkdocs.yml's list, pymdownx.quotes callouts included) plus
pymdownx.arithmatex for the math. The ratios are printed and written into README.md between
`<!-- bench-site:start -->` and `<!-- bench-site:end -->`.

Targets: ours ≤ 1.0 × plain at 2,000 notes; time per note at 2,000 ≤ 1.1 × that at 500; at 10,000
notes ours ≤ 60 s of CPU, time per note ≤ 1.1 × that at 2,000, peak memory (the build's resident
set at its largest) ≤ 1 GiB. The 10,000-note builds run fewer times (`--repeats-large`): a plain
Material build of them takes minutes.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START, END = "<!-- bench-site:start -->", "<!-- bench-site:end -->"
SIZES = (500, 2000, 10000)
LARGE = 10000  # sizes from here on run `repeats_large` times
FOLDERS = 20
TARGET_RATIO, TARGET_GROWTH = 1.0, 1.10  # at 2,000 notes (against plain, against 500)
TARGET_CPU_LARGE, TARGET_MEMORY_LARGE = 60.0, 1 << 30  # ours at 10,000 notes: CPU s, bytes

WORDS = (
    "сокет буфер клиент сервер цикл событие задача поток чтение запись соединение порт адрес "
    "очередь таймаут ошибка данные байт сообщение ответ запрос ядро вызов селектор сопрограмма"
).split()
TAGS = ["theory", "practice", "asyncio/sockets", "asyncio/tasks", "selectors", "bench"]


def note_name(i: int) -> str:
    return f"Заметка {i:04d}"


def make_vault(root: Path, count: int, seed: int = 3) -> Path:
    """count notes in FOLDERS folders, deterministic for a given seed. Every link resolves: note i
    has the block ^fact-i and the heading «Подробности» that the other notes link to."""
    rng = random.Random(seed)
    vault = root / f"vault-{count}"
    for i in range(count):
        folder = vault / f"Раздел {i % FOLDERS:02d}"
        folder.mkdir(parents=True, exist_ok=True)

        def words(n: int) -> str:
            return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()

        def sentence() -> str:
            return words(12) + "."

        links = [note_name(rng.randrange(count)) for _ in range(9)]
        fact = rng.randrange(count)
        # 11 wiki-links: 9 to notes (one to a heading, one with an alias), one to another note's
        # block, one to the source; 2 inline tags in the footer, as the house style puts them.
        body = [
            f"{sentence()} Смотрите [[{links[0]}]] и [[{links[1]}|эту заметку]].",
            "Что здесь важно:",
            f"- {words(6)} — [[{links[2]}]].",
            f"- {words(5)}:",
            f"  - {words(4)}, см. [[{links[3]}]];",
            f"  - {words(4)}.",
            "",
            f"Факт. {sentence()} ^fact-{i}",
            "",
            "## Подробности",
            "",
            f"{sentence()} %%проверить на Windows%% Число шагов растёт как $n^2$, а не как $n$[^1]. "
            f"Дальше — [[{links[4]}#Подробности]], [[{note_name(fact)}#^fact-{fact}]] и [[{links[5]}]].",
            "",
            "$$",
            r"T(n) = \sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
            "$$",
            "",
            "%%",
            f"Черновик: {sentence()}",
            f"{sentence()}",
            "%%",
            "",
            f"- [x] {words(5)}",
            f"- [ ] {words(5)}, как в [[{links[6]}]]",
            "",
            "> [!note] Заметка на полях",
            f"> {sentence()} См. [[{links[7]}]].",
            "",
            f'```python title="prog_{i:04d}.py"',
            "import socket",
            "",
            "def serve(listener: socket.socket) -> None:",
            "    conn, _ = listener.accept()  # blocks until a client connects",
            "    with conn:",
            "        conn.sendall(conn.recv(1024))",
            "```",
            "",
            f"[^1]: {sentence()}",
            "",
            "___",
            f"Relations: [[{links[8]}]]",
            f"Tags: #{rng.choice(TAGS)} #{rng.choice(TAGS)}",
            "References: [[Источник]]",
            "Query:",
            "",
        ]
        (folder / f"{note_name(i)}.md").write_text("\n".join(body), encoding="utf-8")
    (vault / "Источник.md").write_text("Книга, на которую ссылаются заметки.\n", encoding="utf-8")
    return vault


# The Python-Markdown extensions of mkdocs.yml before the notes were rendered by tools/site/render.py
# (`git show a5992ed:mkdocs.yml`), exactly, plus arithmatex now that the notes have math.
PLAIN_EXTENSIONS = """\
markdown_extensions:
  - toc:
      permalink: true
      permalink_title: Ссылка на этот раздел
      slugify: !!python/name:markdown.extensions.toc.slugify_unicode
  - abbr
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - nl2br
  - admonition
  - pymdownx.details
  - pymdownx.quotes:
      callouts: true
  - pymdownx.highlight:
      anchor_linenums: true
      line_spans: __span
      pygments_lang_class: true
  - pymdownx.inlinehilite
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.mark
  - pymdownx.tilde
  - pymdownx.tasklist:
      custom_checkbox: true
  - pymdownx.betterem
  - pymdownx.keys
  - pymdownx.arithmatex:
      generic: true
"""


def load_config() -> dict:
    """mkdocs.yml as data (its MkDocs-specific tags kept as plain values)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def plain_config(vault: Path, site: Path) -> Path:
    """Plain Material: our theme, search only, no hooks, links left raw, PLAIN_EXTENSIONS."""
    ours = load_config()
    theme = {k: v for k, v in ours["theme"].items() if k not in ("custom_dir", "favicon")}
    config = {
        "site_name": ours["site_name"],
        "site_url": "http://127.0.0.1:8000/",
        "docs_dir": str(vault),
        "site_dir": str(site),
        "theme": theme,
        "plugins": [{"search": {"lang": ["ru", "en"]}}],
    }
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False) + PLAIN_EXTENSIONS
    path = site.parent / f"plain-{vault.name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build(config: Path, site: Path, vault: Path | None = None) -> float:
    """CPU seconds of one `mkdocs build --strict` (measure() gives its peak memory too)."""
    return measure(config, site, vault)[0]


def measure(config: Path, site: Path, vault: Path | None = None) -> tuple[float, int]:
    """CPU seconds (user + system) and peak resident memory (bytes) of one `mkdocs build --strict`
    in a child process, both from the child's own rusage (os.wait4).

    CPU time rather than wall-clock time: the build is single-threaded, so on a quiet machine the
    two agree, and on a shared one CPU time leaves out the time other programs held the core.
    Strict (and not -q, which would silence the warnings strict counts): a warning stops the bench
    instead of being timed."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CHECKS_FILE=str(site.parent / "no-checks.json"))
    if vault is not None:
        env["VAULT_DIR"] = str(vault)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            output.seek(0)
            sys.exit(f"build failed ({config.name}):\n{output.read().decode(errors='replace')}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024  # Linux gives KiB


def run(sizes=SIZES, repeats: int = 3, workdir: Path | None = None, repeats_large: int = 1) -> dict:
    """Build each size with both configurations; the vaults and sites go to a temporary folder, or
    to `workdir` (kept: `vault-<n>`, `plain-<n>`, `ours-<n>`) for a caller that looks at them."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        tmp = Path(workdir or tmp)
        for count in sizes:
            vault = make_vault(tmp, count)
            plain_cfg = plain_config(vault, tmp / f"plain-{count}")
            plain, ours = [], []
            for _ in range(repeats_large if count >= LARGE else repeats):  # interleaved: a busy moment hits both
                plain.append(measure(plain_cfg, tmp / f"plain-{count}"))
                ours.append(measure(ROOT / "mkdocs.yml", tmp / f"ours-{count}", vault=vault))
            results[count] = {
                "plain": min(t for t, _ in plain), "ours": min(t for t, _ in ours), "notes": count + 1,
                "runs": len(ours), "median_ratio": statistics.median(t for t, _ in ours) / statistics.median(t for t, _ in plain),
                "plain_memory": max(m for _, m in plain), "ours_memory": max(m for _, m in ours),
            }
            r = results[count]
            print(f"{count:>5} notes: plain {r['plain']:6.1f} s, ours {r['ours']:6.1f} s, "
                  f"ratio {r['ours'] / r['plain']:.2f}, peak memory plain {r['plain_memory'] >> 20} MiB, "
                  f"ours {r['ours_memory'] >> 20} MiB (each run, CPU s: plain "
                  f"{' '.join(f'{t:.1f}' for t, _ in plain)}, ours {' '.join(f'{t:.1f}' for t, _ in ours)})",
                  flush=True)
    return results


def targets(results: dict) -> list[tuple[str, float, str, bool]]:
    """(what, measured, target as written, met) for every target the sizes measured allow."""
    per_note = {n: r["ours"] / r["notes"] for n, r in results.items()}
    sizes = sorted(results)
    middle = 2000 if 2000 in results else sizes[-1]  # the issue-12 targets are at 2,000 notes
    found = []
    r = results[middle]
    found.append((f"ours / plain at {middle} notes", r["ours"] / r["plain"], f"≤ {TARGET_RATIO}×",
                  r["ours"] / r["plain"] <= TARGET_RATIO))
    smaller = [n for n in sizes if n < middle]
    if smaller:
        growth = per_note[middle] / per_note[smaller[-1]]
        found.append((f"time per note at {middle} / at {smaller[-1]}", growth, f"≤ {TARGET_GROWTH}×",
                      growth <= TARGET_GROWTH))
    larger = [n for n in sizes if n > middle]
    if larger:
        large = larger[-1]
        growth = per_note[large] / per_note[middle]
        found.append((f"time per note at {large} / at {middle}", growth, f"≤ {TARGET_GROWTH}×",
                      growth <= TARGET_GROWTH))
        if large >= LARGE:
            cpu, memory = results[large]["ours"], results[large]["ours_memory"]
            found.append((f"ours, CPU s at {large} notes", cpu, f"≤ {TARGET_CPU_LARGE:.0f} s", cpu <= TARGET_CPU_LARGE))
            found.append((f"ours, peak memory at {large} notes (MiB)", memory / 2**20,
                          f"≤ {TARGET_MEMORY_LARGE >> 20} MiB", memory <= TARGET_MEMORY_LARGE))
    return found


def report(results: dict) -> tuple[str, bool]:
    large = max(results)
    per_note = {n: r["ours"] / r["notes"] for n, r in results.items()}
    lines = [
        "| notes | plain Material | our configuration | ours / plain | ours, ms per note | peak memory, plain | peak memory, ours |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in sorted(results.items()):
        lines.append(
            f"| {n} | {r['plain']:.1f} s | {r['ours']:.1f} s | {r['ours'] / r['plain']:.2f}× | "
            f"{1000 * per_note[n]:.1f} | {r['plain_memory'] >> 20} MiB | {r['ours_memory'] >> 20} MiB |"
        )
    lines.append("")
    found = targets(results)
    for what, value, target, met in found:
        shown = f"{value:.2f}×" if target.endswith("×") else f"{value:.0f}"
        lines.append(f"- {what}: **{shown}** (target {target}) {'✓' if met else '✗'}")
    runs = ", ".join(f"{results[n]['runs']} at {n}" for n in sorted(results))
    lines += [
        f"- the spread on this shared machine: ours / plain of the median runs at {large} notes is "
        f"{results[large]['median_ratio']:.2f}×",
        f"- measured by `make bench-site` on {time.strftime('%Y-%m-%d')}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores; CPU time and peak resident memory of a "
        f"build (its own rusage), the least CPU of the interleaved runs ({runs})",
    ]
    return "\n".join(lines), all(met for *_, met in found)


def record(table: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n## Site build benchmark\n\n{block}\n"
    README.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="runs at the smaller sizes (interleaved)")
    parser.add_argument("--repeats-large", type=int, default=1, help=f"runs at {LARGE} notes and more")
    parser.add_argument("--no-record", action="store_true", help="print only, leave README.md alone")
    args = parser.parse_args(argv)
    results = run(args.sizes, args.repeats, repeats_large=args.repeats_large)
    table, ok = report(results)
    print(table)
    if not args.no_record:
        record(table)
        print(f"recorded in {README.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
