"""CommonMark conformance of the site's note renderer.

Every example of fourteen sections of the CommonMark spec (tests/site/commonmark/examples.json,
see the README there) is rendered with `render_markdown` and compared with the spec's HTML the way
the spec's own runner compares (`normalize`: a port of commonmark-spec's test/normalize.py).

An example passes when our HTML is the spec's, read the way Obsidian reads it:

* without the decoration the site adds to otherwise identical HTML (heading ids and permalinks,
  Material's code block markup): `plain_html` takes it off our side;
* as a browser parses it: the site's HTML comes out of an HTML5 serializer (the sanitizer's), so
  the spec's is compared parsed too (`as_parsed`: an unclosed `<a>` is closed, a stray `</a>` goes);
* with Obsidian's line breaks: "Strict line breaks" is off by default, so a soft break renders as
  `<br>` (`obsidian_breaks`). That touches every multi-line paragraph, so it is one rule, and the
  test checks that it holds for every example it concerns;
* with its raw HTML made safe: Obsidian's reading view sanitizes raw HTML (DOMPurify), the site
  does the same with tools/site/sanitize.py. Each such example is listed in ALLOWED with what goes,
  and the test checks that the sanitizer, applied to the spec's HTML, explains the whole difference.

Any other difference must be listed in ALLOWED with its reason, counts as a failure, and must
really differ, so the list stays true. At least 98 % of the examples must pass.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections import Counter
from html.entities import name2codepoint
from html.parser import HTMLParser
from pathlib import Path

import nh3
from bs4 import BeautifulSoup

from tools.site.render import render_markdown
from tools.site.sanitize import clean

README = Path(__file__).resolve().parents[2] / "README.md"
README_START, README_END = "<!-- commonmark:start -->", "<!-- commonmark:end -->"
EXAMPLES = json.loads((Path(__file__).parent / "commonmark" / "examples.json").read_text("utf-8"))
MIN_SHARE = 0.98

SANITIZED = "Obsidian's reading view sanitizes raw HTML (DOMPurify)"
COMMENT = f"{SANITIZED}: it shows no HTML comment"
ELEMENT = f"{SANITIZED}: an element not on its allowlist goes, its content stays"
TAG = "`#word` is a tag in Obsidian (`#5` is not: a tag needs a character other than a digit)"
FRONT_MATTER = "a note whose first line is `---` opens with front matter (Obsidian's properties)"
WIKILINK = "`[[…]]` is a wiki-link in Obsidian (here to a note that does not exist)"
EMBED = "`![[…]]` is an embed in Obsidian (here of a file that does not exist)"
BARE_URL = "Obsidian makes a bare URL a link (as GFM's autolink extension does)"

# example number -> why the site renders it differently from the spec, as Obsidian does.
ALLOWED: dict[int, str] = {
    64: TAG,  # #hashtag
    96: FRONT_MATTER,  # ---\nFoo\n---: "Foo" is the front matter
    98: FRONT_MATTER,  # ---\n---: empty front matter
    308: COMMENT,  # <!-- --> between two lists (the lists stay two)
    309: COMMENT,  # <!-- --> between a list and a code block
    490: f"{ELEMENT} (<foo bar>)",
    523: f"{ELEMENT} (<bar attr=\"](baz)\">)",
    535: f"{ELEMENT} (<bar attr=\"][ref]\">)",
    547: WIKILINK,  # [[[foo]]]
    558: WIKILINK,  # [[*foo* bar]]
    589: EMBED,  # ![[foo]], and [[foo]] in the would-be definition
    601: BARE_URL,  # <http://foo.bar/baz bim>: not an autolink, but a URL in text
    607: BARE_URL,  # < http://foo.bar >
    610: BARE_URL,  # http://example.com
    612: f"{ELEMENT} (<bab>, <c2c>)",
    613: f"{ELEMENT} (<b2/>)",
    614: f"{ELEMENT} (<b2 data=\"foo\">)",
    615: f"{SANITIZED}: attributes not on its allowlist go (foo, bam, _boolean, zoop:33)",
    616: f"{ELEMENT} (<responsive-image>)",
    624: COMMENT,
    627: f"{COMMENT} (a processing instruction is a comment to HTML5)",
    628: f"{COMMENT} (a declaration is a comment to HTML5)",
    629: f"{COMMENT} (a CDATA section is a comment to HTML5; the text after it stays)",
}


# -- the spec's comparison -------------------------------------------------------------------------

# The tags whose surrounding whitespace does not count (the list of test/normalize.py).
BLOCK_TAGS = frozenset(
    "article header aside hgroup blockquote hr iframe body li map button object canvas ol caption "
    "output col p colgroup pre dd progress div section dl table td dt tbody embed textarea "
    "fieldset tfoot figcaption th figure thead footer tr form ul h1 h2 h3 h4 h5 h6 video script "
    "style".split()
)
_CHUNKS = re.compile(r"<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+", re.DOTALL)
# HTML's whitespace. (normalize.py's `\s` also takes U+00A0, so there a literal no-break space
# collapses to a space and `&nbsp;` does not: we count both as the same character.)
_WS = " \t\n\r\f"
_SPACE = re.compile(f"[{_WS}]+")
_MARKUP_CHARS = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


class _Normalizer(HTMLParser):
    """Writes HTML back in a canonical form: see `normalize`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out = ""
        self.last = "starttag"  # the kind of the previous item
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _SPACE.sub(" ", data)
            if after_tag and self.last_tag in BLOCK_TAGS:
                data = data.lstrip(_WS) if self.last == "starttag" else data.strip(_WS)
        # Our addition: a double quote in text is written as &quot; whether the source escaped it
        # or not (both are the same text; serializers differ).
        self.out += data.replace('"', "&quot;")
        self.last = "data"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in BLOCK_TAGS:
            self.out = self.out.rstrip(_WS)
        self.out += "<" + tag
        for name, value in sorted(attrs, key=lambda attr: (attr[0], attr[1] or "")):
            self.out += f" {name}" if value is None else f' {name}="{html.escape(value)}"'
        self.out += ">"
        self.last, self.last_tag = "starttag", tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # `<br />` is written `<br>`
        self.last = "endtag"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in BLOCK_TAGS:
            self.out = self.out.rstrip(_WS)
        self.out += f"</{tag}>"
        self.last, self.last_tag = "endtag", tag

    def handle_comment(self, data: str) -> None:
        self.out += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, decl: str) -> None:
        self.out += f"<!{decl}>"
        self.last = "decl"

    def unknown_decl(self, data: str) -> None:
        self.out += f"<!{data}>"
        self.last = "decl"

    def handle_pi(self, data: str) -> None:
        self.out += f"<?{data}>"
        self.last = "pi"

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._char(None if code is None else chr(code), f"&{name};")

    def handle_charref(self, name: str) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            char = None
        self._char(char, f"&#{name};")

    def _char(self, char: str | None, source: str) -> None:
        self.out += source if char is None else _MARKUP_CHARS.get(char, char)
        self.last = "ref"


def normalize(text: str) -> str:
    """The HTML in the canonical form of the spec's test runner (test/normalize.py), so that
    insignificant differences of output do not count:

    * runs of whitespace become one space, except inside <pre>; whitespace next to block-level
      tags goes, and so does a newline right after <br>;
    * `<br />` is `<br>`; attributes are sorted, their values escaped the same way;
    * character references become characters, except that <, >, & and " stay references;
    * comments, declarations, processing instructions and CDATA sections stay as they are.

    Where normalize.py differs from its evident intent we follow the code as it runs: attribute
    values are not URL-quoted (its test compares the attribute's value, not its name, with
    'href'/'src', so that branch never runs). Ours differs twice: whitespace is HTML's (U+00A0 is
    text, whether written as itself or as `&nbsp;`), and a double quote in text counts as `&quot;`
    (both are the same text; serializers differ).

    >>> normalize('<p>a  \\t\\nb</p>\\n <br />\\n<a title="t" HREF="x">&forall;&amp;</a> ')
    '<p>a b</p><br><a href="x" title="t">∀&amp;</a> '
    """
    parser = _Normalizer()
    # HTMLParser cannot parse CDATA sections: as normalize.py does, they bypass it.
    for chunk in _CHUNKS.finditer(text):
        if chunk.group().startswith("<![CDATA["):
            parser.out += chunk.group()
        else:
            parser.feed(chunk.group())
    parser.close()
    return parser.out


# -- what the site adds ----------------------------------------------------------------------------

_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


def plain_html(text: str) -> str:
    r"""Our renderer's HTML without its pure decoration, so that it compares with the spec's:

    * headings lose their `id` and their permalink (`<a class="headerlink">`);
    * an image comes out of its lightbox link (`<a class="glightbox">`);
    * a code block in Material's markup, `<div class="language-x highlight"><pre><span></span>
      <code>…</code></pre></div>` with Pygments' spans inside, becomes the spec's
      `<pre><code class="language-x">text</code></pre>` (no class without a language: Pygments'
      `language-text`; an empty block, which Pygments writes as one newline, is empty).

    Nothing else changes: HTML without such decoration is returned as it came (a round trip
    through BeautifulSoup would also mend broken raw HTML and hide real differences).

    >>> plain_html('<h2 id="a-b">A &amp; B<a class="headerlink" href="#a-b">¶</a></h2>\n'
    ...            '<div class="language-py highlight"><pre><span></span><code><span class="n">x'
    ...            '</span> <span class="o">&lt;</span> 1\n</code></pre></div>')
    '<h2>A &amp; B</h2>\n<pre><code class="language-py">x &lt; 1\n</code></pre>'
    """
    soup = BeautifulSoup(text, "html.parser")
    headings = [h for h in soup.find_all(_HEADINGS) if h.has_attr("id") or h.select("a.headerlink")]
    blocks = [div for div in soup.find_all("div", class_="highlight") if div.find("pre")]
    lightboxes = soup.select("a.glightbox")
    if not headings and not blocks and not lightboxes:
        return text
    for link in lightboxes:  # an image opens in the lightbox: Material's markup, not the spec's
        link.unwrap()
    for heading in headings:
        heading.attrs.pop("id", None)
        for link in heading.select("a.headerlink"):
            link.decompose()
    for div in blocks:
        # pymdownx.highlight writes `language-text` for a block with no language (no example's
        # info string is `text`).
        languages = [name for name in div.get("class", []) if name.startswith("language-")]
        languages = [name for name in languages if name != "language-text"]
        code = div.find("code") or div.find("pre")
        pre = soup.new_tag("pre")
        plain = soup.new_tag("code", attrs={"class": languages[0]} if languages else {})
        # Pygments ends every block with a newline, an empty one too.
        source = code.get_text()
        plain.string = "" if source == "\n" else source
        pre.append(plain)
        div.replace_with(pre)
    return soup.decode(formatter="minimal")


# -- as a browser parses it -----------------------------------------------------------------------


class _Names(HTMLParser):
    """The tag and attribute names of some HTML, and the URL schemes in its attribute values."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.schemes: set[str] = set()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", value or "")
            if scheme:
                self.schemes.add(scheme.group(1).lower())

    handle_startendtag = handle_starttag


def as_parsed(text: str) -> str:
    """The HTML as a browser's parser builds it, written back: html5ever's tree (through nh3, with
    every tag, attribute, URL scheme and comment of `text` allowed, so nothing is removed). Only
    raw HTML changes: an unclosed `<a>` is closed (and reopened after its paragraph), a stray end
    tag goes, an attribute without a value gets `=""`.

    >>> as_parsed('<p>**<a href="**"></p>\\n<p></a></foo ></p>')
    '<p>**<a href="**"></a></p><a href="**">\\n</a><p><a href="**"></a></p>'
    """
    names = _Names(text)
    return nh3.clean(
        text,
        tags=names.tags,
        clean_content_tags=set(),
        attributes={"*": names.attributes},
        generic_attribute_prefixes=set(),
        url_schemes=names.schemes,
        link_rel=None,
        strip_comments=False,
    )


# -- Obsidian's line breaks ------------------------------------------------------------------------


class _Tokens(HTMLParser):
    """HTML as a list of (kind, tag, source) items: the source is the exact text of each item."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.starts: list[tuple[str, str, int]] = []
        self.feed(text)
        self.close()

    def _add(self, kind: str, tag: str = "") -> None:
        line, column = self.getpos()  # where the item being handled starts
        self.starts.append((kind, tag, self.lines[line - 1] + column))

    def items(self) -> list[tuple[str, str, str]]:
        ends = [start for _, _, start in self.starts[1:]] + [len(self.text)]
        return [(kind, tag, self.text[a:b]) for (kind, tag, a), b in zip(self.starts, ends)]

    def handle_starttag(self, tag, attrs):
        self._add("start", tag)

    def handle_startendtag(self, tag, attrs):
        self._add("empty", tag)

    def handle_endtag(self, tag):
        self._add("end", tag)

    def handle_data(self, data):
        self._add("data")

    def handle_entityref(self, name):
        self._add("ref")

    def handle_charref(self, name):
        self._add("ref")

    def handle_comment(self, data):
        self._add("other")

    def handle_decl(self, decl):
        self._add("other")

    def unknown_decl(self, data):
        self._add("other")

    def handle_pi(self, data):
        self._add("other")


def obsidian_breaks(text: str) -> str:
    """The spec's HTML as Obsidian renders it with "Strict line breaks" off: every soft line break
    (a newline inside inline content, outside <pre>) becomes `<br />` and a newline.

    A newline is inline when something other than whitespace (text, a reference, an inline tag)
    comes before it and after it within the same block, and what comes right before it is not
    already a `<br>` (a hard break).

    >>> obsidian_breaks('<p>a\\n<em>b</em>  \\nc<br />\\nd</p>\\n<pre><code>e\\nf</code></pre>\\n')
    '<p>a<br />\\n<em>b</em>  <br />\\nc<br />\\nd</p>\\n<pre><code>e\\nf</code></pre>\\n'
    """
    items = _Tokens(text).items()
    assert "".join(source for _, _, source in items) == text
    is_block = [kind in ("start", "end", "empty") and tag in BLOCK_TAGS for kind, tag, _ in items]

    def content(i: int) -> str | None:
        """'br', 'x' (other inline content), 'block' (a block boundary) or None (whitespace)."""
        kind, tag, source = items[i]
        if is_block[i]:
            return "block"
        if kind == "data":
            return "x" if source.strip(_WS) else None
        return "br" if tag == "br" else "x"

    def before(i: int, head: str) -> str | None:
        if head.strip(_WS):
            return "x"
        for j in range(i - 1, -1, -1):
            found = content(j)
            if found:
                return None if found == "block" else found
        return None

    def after(i: int, tail: str) -> bool:
        if tail.strip(_WS):
            return True
        for j in range(i + 1, len(items)):
            found = content(j)
            if found:
                return found != "block"
        return False

    out = []
    in_pre = 0
    for i, (kind, tag, source) in enumerate(items):
        if tag == "pre":
            in_pre += {"start": 1, "end": -1}.get(kind, 0)
        if kind == "data" and not in_pre and "\n" in source:
            pieces = source.split("\n")
            source = pieces[0]
            for n, piece in enumerate(pieces[1:], start=1):
                soft = before(i, "\n".join(pieces[:n])) == "x" and after(i, "\n".join(pieces[n:]))
                source += ("<br />\n" if soft else "\n") + piece
        out.append(source)
    return "".join(out)


# -- the test --------------------------------------------------------------------------------------


def compare(example: dict) -> tuple[str, str]:
    """(outcome, our normalized HTML) for one example. The outcome is "spec" (the spec's HTML, as
    written or as parsed), "breaks" (only with Obsidian's line breaks), "sanitized" (only with the
    spec's raw HTML made safe by our sanitizer) or "fail"."""
    ours = normalize(plain_html(render_markdown(example["markdown"])))
    spec = example["html"]
    broken = obsidian_breaks(spec)  # the same as spec without a soft break
    forms = (
        ("spec", lambda: spec),
        ("spec", lambda: as_parsed(spec)),
        ("breaks", lambda: broken),
        ("breaks", lambda: as_parsed(broken)),
        ("sanitized", lambda: clean(spec)),
        ("sanitized", lambda: clean(broken)),
    )
    for outcome, form in forms:  # the first that matches, each made only when needed
        if ours == normalize(form()):
            return outcome, ours
    return "fail", ours


NOTES = {"breaks": "with Obsidian's line breaks", "sanitized": "with raw HTML made safe"}


def test_commonmark_share(record_property):
    start = time.perf_counter()
    results = {example["number"]: compare(example) for example in EXAMPLES}
    seconds = time.perf_counter() - start
    by_number = {example["number"]: example for example in EXAMPLES}
    outcome = {number: kind for number, (kind, _) in results.items()}

    per_section: dict[str, Counter] = {}
    for example in EXAMPLES:
        per_section.setdefault(example["section"], Counter())[outcome[example["number"]]] += 1
    width = max(map(len, per_section)) + 1
    lines = []
    for name, count in per_section.items():
        notes = ", ".join(f"{count[kind]} {note}" for kind, note in NOTES.items() if count[kind])
        row = f"  {name + ':':<{width}} {count.total() - count['fail']:>3}/{count.total():<3}"
        lines.append(row + (f"  ({notes})" if notes else ""))
    total = Counter(outcome.values())
    passed = len(EXAMPLES) - total["fail"]
    share = passed / len(EXAMPLES)
    summary = (
        f"CommonMark: {passed}/{len(EXAMPLES)} examples ({100 * share:.1f} %): "
        f"{total['spec']} as the spec, {total['breaks']} {NOTES['breaks']}, "
        f"{total['sanitized']} {NOTES['sanitized']}; {total['fail']} differ; "
        f"rendered and compared in {seconds:.2f} s"
    )
    print("\n" + "\n".join(lines) + "\n" + summary)
    record_property("commonmark", summary)
    record_property("commonmark_share", round(share, 4))

    def show(number: int) -> str:
        example = by_number[number]
        return (
            f"#{number} ({example['section']}): {example['markdown']!r}\n"
            f"  spec: {normalize(example['html'])!r}\n  ours: {results[number][1]!r}"
        )

    unexplained = [n for n, kind in outcome.items() if kind in ("sanitized", "fail") and n not in ALLOWED]
    assert not unexplained, "differences with no reason in ALLOWED:\n" + "\n".join(map(show, unexplained))
    stale = sorted(n for n in ALLOWED if outcome[n] in ("spec", "breaks"))
    assert not stale, f"ALLOWED examples that now render as the spec (take them off): {stale}"
    # A sanitizer reason holds when the sanitizer explains the whole difference, and only then.
    wrong = sorted(n for n in ALLOWED if (outcome[n] == "sanitized") != ALLOWED[n].startswith(SANITIZED))
    assert not wrong, "ALLOWED reasons that are not, or do not say, the sanitizer:\n" + "\n".join(
        f"{show(n)}\n  reason: {ALLOWED[n]}" for n in wrong
    )
    # The line-break rule holds: no soft break of the spec's HTML renders as a space.
    strict = [
        n for n, kind in outcome.items()
        if kind == "spec" and obsidian_breaks(by_number[n]["html"]) != by_number[n]["html"]
    ]
    assert not strict, f"soft line breaks rendered as spaces, not as <br> as in Obsidian: {strict}"
    differ = "\n".join(f"  #{n}: {ALLOWED[n]}" for n, kind in outcome.items() if kind == "fail")
    assert share >= MIN_SHARE, f"{summary}; under {MIN_SHARE:.0%}. Differ:\n{differ}"

    # The README quotes the share; it is written from this run, never typed.
    strictly = total["spec"] + total["breaks"]
    quoted = (
        f"CommonMark 0.30, the {len(per_section)} sections Obsidian users hit: **{passed} of "
        f"{len(EXAMPLES)} examples ({100 * share:.1f} %)** render as the spec, read as Obsidian reads "
        f"it (single line breaks kept, raw HTML made safe); {total['fail']} differ, each for a "
        f"reason of Obsidian's (tags, wiki-links, embeds, front matter, bare URLs). "
        f"Counting the {total['sanitized']} made-safe examples as differences: {strictly} of "
        f"{len(EXAMPLES)} ({100 * strictly / len(EXAMPLES):.1f} %)."
    )
    readme = README.read_text(encoding="utf-8")
    block = f"{README_START}\n{quoted}\n{README_END}"
    current = readme[readme.index(README_START):readme.index(README_END) + len(README_END)]
    if current != block and os.environ.get("UPDATE_README") == "1":
        README.write_text(readme.replace(current, block), encoding="utf-8")
    else:
        assert current == block, (
            "README.md's CommonMark line is not this run's: "
            "UPDATE_README=1 .venv/bin/pytest tests/site/test_commonmark.py -n 0 writes it"
        )
