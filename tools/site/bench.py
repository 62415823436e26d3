"""`make bench-site`: how much our Obsidian rendering costs on top of plain Material.

Synthetic vaults of 500 and 2,000 notes (20 folders; each note ~10 wiki-links, 2 inline tags, a
code block, a callout and the house footer) are built twice in the same run: by plain Material
with the same theme, features (navigation.prune included) and Markdown extensions over the same
files, the links left raw, and by our full configuration (mkdocs.yml). The ratios are printed and
written into README.md between `<!-- bench-site:start -->` and `<!-- bench-site:end -->`.

Targets: ours ≤ 1.15 × plain at 2,000 notes; time per note at 2,000 ≤ 1.1 × that at 500.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
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
SIZES = (500, 2000)
FOLDERS = 20
TARGET_RATIO, TARGET_GROWTH = 1.15, 1.10

WORDS = (
    "сокет буфер клиент сервер цикл событие задача поток чтение запись соединение порт адрес "
    "очередь таймаут ошибка данные байт сообщение ответ запрос ядро вызов селектор сопрограмма"
).split()
TAGS = ["theory", "practice", "asyncio/sockets", "asyncio/tasks", "selectors", "bench"]


def note_name(i: int) -> str:
    return f"Заметка {i:04d}"


def make_vault(root: Path, count: int, seed: int = 3) -> Path:
    """count notes in FOLDERS folders, deterministic for a given seed."""
    rng = random.Random(seed)
    vault = root / f"vault-{count}"
    for i in range(count):
        folder = vault / f"Раздел {i % FOLDERS:02d}"
        folder.mkdir(parents=True, exist_ok=True)

        def sentence() -> str:
            return " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."

        links = [note_name(rng.randrange(count)) for _ in range(10)]
        # ~10 wiki-links (one to a heading, one with an alias), 2 inline tags (in the footer, as
        # the house style puts them), one titled code block, one callout.
        body = [
            f"{sentence()} Смотрите [[{links[0]}]] и [[{links[1]}|эту заметку]].",
            "",
            "## Подробности",
            "",
            f"{sentence()} {sentence()} Дальше — [[{links[2]}#Подробности]], [[{links[3]}]], "
            f"[[{links[4]}]] и [[{links[5]}]].",
            "",
            "> [!note] Заметка на полях",
            f"> {sentence()} См. [[{links[6]}]].",
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
            "___",
            f"Relations: [[{links[7]}]] [[{links[8]}]]",
            f"Tags: #{rng.choice(TAGS)} #{rng.choice(TAGS)}",
            "References: [[Источник]]",
            "Query:",
            "",
        ]
        (folder / f"{note_name(i)}.md").write_text("\n".join(body), encoding="utf-8")
    (vault / "Источник.md").write_text("Книга, на которую ссылаются заметки.\n", encoding="utf-8")
    return vault


def load_config() -> dict:
    """mkdocs.yml as data (its MkDocs-specific tags kept as plain values)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def plain_config(vault: Path, site: Path) -> Path:
    """Plain Material: our theme and Markdown extensions, search only, no hooks, links left raw."""
    ours = load_config()
    theme = {k: v for k, v in ours["theme"].items() if k not in ("custom_dir", "favicon")}
    extensions = []
    for ext in ours["markdown_extensions"]:
        if isinstance(ext, dict) and "toc" in ext:
            ext = {"toc": {**ext["toc"], "slugify": "!!python/name:" + ext["toc"]["slugify"]}}
        extensions.append(ext)
    config = {
        "site_name": ours["site_name"],
        "site_url": "http://127.0.0.1:8000/",
        "docs_dir": str(vault),
        "site_dir": str(site),
        "theme": theme,
        "plugins": [{"search": {"lang": ["ru", "en"]}}],
        "markdown_extensions": extensions,
    }
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    text = re.sub(r"'!!python/name:([\w.]+)'", r"!!python/name:\1", text)
    text = text.replace("format: pymdownx.superfences.fence_code_format",
                        "format: !!python/name:pymdownx.superfences.fence_code_format")
    path = site.parent / f"plain-{vault.name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build(config: Path, site: Path, vault: Path | None = None) -> float:
    """CPU seconds (user + system) of one `mkdocs build` in a child process.

    CPU time rather than wall-clock time: the build is single-threaded, so on a quiet machine the
    two agree, and on a shared one CPU time leaves out the time other programs held the core."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if vault is not None:
        env["VAULT_DIR"] = str(vault)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"build failed ({config.name}):\n{done.stdout}{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(sizes=SIZES, repeats: int = 5) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        tmp = Path(tmp)
        for count in sizes:
            vault = make_vault(tmp, count)
            plain_cfg = plain_config(vault, tmp / f"plain-{count}")
            plain, ours = [], []
            for _ in range(repeats):  # interleaved, so that a busy moment hits both
                plain.append(build(plain_cfg, tmp / f"plain-{count}"))
                ours.append(build(ROOT / "mkdocs.yml", tmp / f"ours-{count}", vault=vault))
            results[count] = {"plain": min(plain), "ours": min(ours), "notes": count + 1, "runs": repeats,
                              "median_ratio": statistics.median(ours) / statistics.median(plain)}
            r = results[count]
            print(f"{count:>5} notes: plain {r['plain']:6.1f} s, ours {r['ours']:6.1f} s, "
                  f"ratio {r['ours'] / r['plain']:.2f} (each run, CPU s: plain "
                  f"{' '.join(f'{t:.1f}' for t in plain)}, ours {' '.join(f'{t:.1f}' for t in ours)})",
                  flush=True)
    return results


def report(results: dict) -> tuple[str, bool]:
    small, large = min(results), max(results)
    ratio = results[large]["ours"] / results[large]["plain"]
    per_note = {n: r["ours"] / r["notes"] for n, r in results.items()}
    growth = per_note[large] / per_note[small]
    ok = ratio <= TARGET_RATIO and growth <= TARGET_GROWTH
    lines = [
        "| notes | plain Material | our configuration | ours / plain | ours, ms per note |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n, r in sorted(results.items()):
        lines.append(
            f"| {n} | {r['plain']:.1f} s | {r['ours']:.1f} s | {r['ours'] / r['plain']:.2f}× | "
            f"{1000 * per_note[n]:.1f} |"
        )
    lines += [
        "",
        f"- ours / plain at {large} notes: **{ratio:.2f}×** (target ≤ {TARGET_RATIO}×)"
        f" {'✓' if ratio <= TARGET_RATIO else '✗'}",
        f"- time per note at {large} / at {small}: **{growth:.2f}×** (target ≤ {TARGET_GROWTH}×)"
        f" {'✓' if growth <= TARGET_GROWTH else '✗'}",
        f"- the spread on this shared machine: ours / plain of the median runs at {large} notes is "
        f"{results[large]['median_ratio']:.2f}×",
        f"- measured by `make bench-site` on {time.strftime('%Y-%m-%d')}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores; CPU time of a build, the least "
        f"of {results[large]['runs']} interleaved runs",
    ]
    return "\n".join(lines), ok


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
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-record", action="store_true", help="print only, leave README.md alone")
    args = parser.parse_args(argv)
    results = run(args.sizes, args.repeats)
    table, ok = report(results)
    print(table)
    if not args.no_record:
        record(table)
        print(f"recorded in {README.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
