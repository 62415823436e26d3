"""Regenerate examples.json from a CommonMark spec.txt (standard library only).

    python tests/site/commonmark/extract.py path/to/spec.txt [out.json]

The spec marks each example as a fenced block opened by a line of 32 backticks followed by
`example` and closed by a line of 32 backticks; a line holding only `.` separates the Markdown
input from the expected HTML, and `→` stands for a tab. Examples are numbered over the whole spec
(the numbers are the spec's own) and belong to the last heading seen outside an example, as in the
spec's test/spec_tests.py. Only the sections in SECTIONS are kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SECTIONS = (
    "Tabs",
    "Block quotes",
    "List items",
    "Lists",
    "Fenced code blocks",
    "Indented code blocks",
    "ATX headings",
    "Setext headings",
    "Emphasis and strong emphasis",
    "Links",
    "Images",
    "Autolinks",
    "Raw HTML",
    "Hard line breaks",
)

FENCE = "`" * 32
HEADING = re.compile(r"#+ ")


def examples(spec: str) -> list[dict]:
    """Every example of the spec, in order: {"number", "section", "markdown", "html"}."""
    found: list[dict] = []
    section = ""
    state = "text"  # "text", then "markdown" and "html" inside an example
    markdown: list[str] = []
    html: list[str] = []
    for line in spec.splitlines(keepends=True):
        stripped = line.strip()
        if state == "text":
            if stripped == FENCE + " example":
                state, markdown, html = "markdown", [], []
            elif HEADING.match(line):
                section = HEADING.sub("", line, count=1).strip()
        elif state == "markdown":
            if stripped == ".":
                state = "html"
            else:
                markdown.append(line)
        elif stripped == FENCE:
            found.append(
                {
                    "number": len(found) + 1,
                    "section": section,
                    "markdown": "".join(markdown).replace("→", "\t"),
                    "html": "".join(html).replace("→", "\t"),
                }
            )
            state = "text"
        else:
            html.append(line)
    if state != "text":
        raise ValueError("the spec ends inside an example")
    return found


def spec_version(spec: str) -> str:
    match = re.search(r"^version: *'?([^'\n]+)'?$", spec, re.MULTILINE)
    return match.group(1) if match else "unknown"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    spec = Path(argv[1]).read_text(encoding="utf-8")
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("examples.json")
    kept = [example for example in examples(spec) if example["section"] in SECTIONS]
    missing = set(SECTIONS) - {example["section"] for example in kept}
    if missing:
        raise SystemExit(f"no examples found for sections: {sorted(missing)}")
    out.write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"spec {spec_version(spec)}: {len(kept)} examples written to {out}")
    for name in SECTIONS:
        print(f"  {name}: {sum(example['section'] == name for example in kept)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
