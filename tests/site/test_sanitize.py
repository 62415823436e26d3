"""tools/site/sanitize.py: what Obsidian's reading view would not run goes, and is reported; what
our renderer emits, and ordinary formatting HTML, comes out unchanged in meaning."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pymdownx.highlight import Highlight

from tools.site.sanitize import clean, removed

GONE_TAGS = {"script", "style", "object", "embed", "form", "base", "meta", "link", "button"}


def elements(html: str) -> tuple[list, str]:
    """Every element (name and attributes, in document order) and the text.

    A bare <tbody> is left out: nh3 parses as a browser does, so Pygments' `<table><tr>` comes out as
    `<table><tbody><tr>`, the very DOM a browser builds from either (html.parser builds no tree)."""
    soup = BeautifulSoup(html, "html.parser")
    tags = [
        (tag.name, {name: " ".join(v) if isinstance(v, list) else v for name, v in tag.attrs.items()})
        for tag in soup.find_all(True)
        if tag.name != "tbody" or tag.attrs
    ]
    return tags, soup.get_text()


def assert_unchanged(html: str) -> None:
    got, want = elements(clean(html)), elements(html)
    for before, after in zip(want[0], got[0]):
        assert before == after
    assert len(got[0]) == len(want[0])
    assert got[1] == want[1]


def assert_safe(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in GONE_TAGS, tag
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), tag
            assert name != "srcdoc", tag
            if name in {"href", "src", "action", "formaction", "poster", "data"}:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                assert not scheme.startswith(("javascript:", "vbscript:")), tag
                assert not scheme.startswith("data:") or (tag.name == "img" and name == "src"), tag


# -- what our renderer emits -------------------------------------------------------------------------
# tools/site/render.py writes notes with markdown-it-py (+ mdit-py-plugins) and pymdownx.highlight;
# the same libraries render SAMPLE here, so the test needs no site build.

SAMPLE = """\
# Заголовок

Текст ~~зачёркнут~~, `a & <b>`, сноска[^1], <kbd>Ctrl</kbd>, <mark>пометка</mark>.

- [x] сделано
- [ ] не сделано

1. раз
2. два

| Слева | По центру | Справа |
|:------|:---------:|-------:|
| 1     | 2         | 3      |

> Цитата.

---

[^1]: Сноска.
"""


@pytest.fixture(scope="module")
def rendered() -> str:
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(tasklists_plugin)
    )
    highlight = Highlight(
        None, pygments_lang_class=True, line_spans="__span", anchor_linenums=True, language_prefix="language-"
    )
    return "".join(
        [
            md.render(SAMPLE),
            highlight.highlight('print("<&>", \'&amp;\')\n', "python", title="echo.py", code_block_count=0),
            highlight.highlight("x = 1\ny = 2\n", "python", linestart=1, code_block_count=1),
        ]
    )


def test_the_renderers_output_is_kept_whole(rendered):
    # The sample did produce the constructs it is meant to check.
    for mark in ('class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox"',
                 'style="text-align:right"', '<sup class="footnote-ref">', 'class="footnote-backref"',
                 'id="__codelineno-0-1"', 'href="#__codelineno-0-1"', '<span class="filename">echo.py</span>',
                 '<td class="linenos">', "<s>", "<ol>", "<blockquote>", "<hr"):
        assert mark in rendered, mark
    assert_unchanged(rendered)
    assert removed(rendered) == []


# What the renderer emits beyond SAMPLE (in the forms of tools/site/render.py and Material), and the
# HTML a note may carry as Obsidian shows it.
CONSTRUCTS = """\
<h2 id="раздел-два">Раздел два<a class="headerlink" href="#раздел-два" title="Ссылка на этот раздел">¶</a></h2>
<div class="language-python highlight"><span class="filename">alpha.py</span><pre><span></span><code><span id="__span-0-1"><a href="#__codelineno-0-1" id="__codelineno-0-1" name="__codelineno-0-1"></a><span class="k">if</span> <span class="n">a</span> <span class="o">&lt;</span> <span class="n">b</span> <span class="ow">and</span> <span class="s2">"&amp;"</span><span class="p">:</span>
</span></code></pre></div>
<ul class="task-list"><li class="task-list-item"><label class="task-list-control"><input type="checkbox" disabled checked/><span class="task-list-indicator"></span></label> готово</li></ul>
<p>Формула <span class="arithmatex">\\(a &lt; b\\)</span> и <sup id="fnref:2"><a class="footnote-ref" href="#fn:2">2</a></sup>.</p>
<div class="footnote"><hr/><ol><li id="fn:2"><p>Сноска.&#160;<a class="footnote-backref" href="#fnref:2" title="Назад">&#8617;</a></p></li></ol></div>
<div class="admonition note"><p class="admonition-title">Заметка</p><p>Текст.</p></div>
<details class="tip" open><summary>Совет</summary><p>Текст.</p></details>
<pre class="mermaid"><code>graph LR
  A --&gt; B</code></pre>
<div class="vault-embed"><p class="vault-embed__source"><a href="../%D0%90%D0%BB%D1%8C%D1%84%D0%B0/#раздел-один">Альфа › Раздел один</a></p></div>
<p><a class="glightbox" data-desc-position="bottom" data-type="image" href="../attachments/pic.svg"><img alt="pic.svg" src="../attachments/pic.svg" width="120" height="80" loading="lazy" class="vault-image" title="Картинка"/></a></p>
<p>Ссылка на <span class="vault-unresolved" title="Заметки «Нет» пока нет">Нет</span> и на <a href="../tags/#tag:fixture" class="md-tag vault-tag">#fixture</a>.</p>
<div class="vault-local-graph" data-id="Бета.md"></div>
<p><sup class="footnote-ref" id="fnref3"><a href="#fn3">3</a></sup> <a class="vault-link" href="../%D0%91%D0%B5%D1%82%D0%B0/">Бета</a> <span class="md-tag vault-tag">#тег</span></p>
<div class="arithmatex">\\[\\sum_{i&lt;n} i\\]</div>
<audio class="vault-audio" controls preload="metadata" src="../attachments/%D0%B7%D0%B2%D1%83%D0%BA.ogg"></audio>
<iframe class="vault-pdf" src="../attachments/doc.pdf#page=3" title="doc.pdf" loading="lazy"></iframe><a class="vault-pdf__link" href="../attachments/doc.pdf">doc.pdf</a>
<details class="note" open>
<summary>Раскрыто</summary>
<p>Текст.</p>
</details>
<p id="^fact">Факт. <a href="#^fact">ссылка на блок</a>, <a href="../%D0%90/">Альфа</a>, <a href="?q=1">запрос</a>.</p>
<figure><img src="https://example.com/a.png" alt="Снимок"><figcaption>Подпись</figcaption></figure>
<audio controls src="../attachments/sound.mp3"></audio>
<video controls src="../attachments/clip.mp4" width="320"><source src="../attachments/clip.webm" type="video/webm"></video>
<iframe src="https://www.youtube.com/embed/xyz" loading="lazy" class="vault-frame" width="560" height="315" allowfullscreen></iframe>
<p><mark>пометка</mark> <del>было</del> <s>старое</s> <kbd>Ctrl</kbd> H<sub>2</sub>O x<sup>2</sup> <abbr title="HyperText">HTML</abbr> <u>подчёркнуто</u><br>
<b>жирный</b> <i>курсив</i> <small>мелко</small> <q>цитата</q> <cite>источник</cite> <time datetime="2024-01-01">1 января</time></p>
<dl><dt>Термин</dt><dd>Определение</dd></dl>
<blockquote><p>Цитата</p></blockquote>
<table><thead><tr><th style="text-align: left;">Л</th><th style="text-align: right;" colspan="2">П</th></tr></thead>
<tbody><tr><td style="text-align: left;">1</td><td style="text-align: right;" rowspan="1">2</td><td>3</td></tr></tbody></table>
<div class="callout" data-callout="note" role="note" aria-label="Заметка" lang="ru" dir="ltr" style="color: red; border: 1px solid">
<span style="font-family: cursive">Шрифт</span> <font color="red">красный</font> <center>по центру</center></div>
<p align="center"><a href="https://example.com/" target="_blank" rel="noopener">внешняя</a> <a href="mailto:me@example.com">почта</a> <a href="tel:+70000000000">телефон</a> <a href="http://example.com/a?b=1&amp;c=2">http</a></p>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="вставленная">
"""


def test_every_construct_is_kept_whole():
    assert_unchanged(CONSTRUCTS)
    assert removed(CONSTRUCTS) == []


def test_text_entities_and_urls_survive_as_written():
    out = clean(CONSTRUCTS)
    for kept in ('<span class="o">&lt;</span>', '"&amp;"', "\\(a &lt; b\\)", "A --&gt; B", "Раздел два",
                 'id="раздел-два"', 'href="#раздел-два"', 'id="^fact"', 'href="#^fact"', 'href="../%D0%90/"',
                 'href="../%D0%90%D0%BB%D1%8C%D1%84%D0%B0/#раздел-один"', 'href="?q=1"', "Альфа › Раздел один",
                 'href="http://example.com/a?b=1&amp;c=2"', "Сноска.&nbsp;"):
        assert kept in out, kept
    # No rel="noopener noreferrer" added by nh3; the one written in the note stays.
    assert out.count("rel=") == 1


# -- what goes, and how it is reported -------------------------------------------------------------

DANGEROUS = [
    ("<script>alert(1)</script>", ["<script>"]),
    ('<p>ok<script src="https://evil.example/x.js"></script></p>', ["<script>"]),
    ('<img src=x onerror="alert(1)">', ["onerror= on <img>"]),
    ('<div class="a" onclick="x()" onmouseover="y()">t</div>', ["onclick= on <div>", "onmouseover= on <div>"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript: URL in href of <a>"]),
    ('<a href=" JaVa&#x09;Script:alert(1)">x</a>', ["javascript: URL in href of <a>"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript: URL in href of <a>"]),
    ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', ["data: URL in href of <a>"]),
    ('<iframe src="data:text/html,x"></iframe>', ["data: URL in src of <iframe>"]),
    ('<iframe src="https://example.com/" srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
     ["srcdoc= on <iframe>"]),
    ('<object data="movie.swf"><embed src="movie.swf">запасной текст</object>', ["<object>", "<embed>"]),
    ('<embed src="javascript:alert(1)">', ["<embed>"]),
    ('<form action="https://evil.example/"><input type="password" name="p"><button>Войти</button></form>',
     ["<form>", 'type="password" on <input> (made "checkbox")', "name= on <input>", "<button>"]),
    ('<base href="https://evil.example/">', ["<base>"]),
    ('<meta http-equiv="refresh" content="0; url=https://evil.example/">', ["<meta>"]),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', ["<link>"]),
    ("<style>body { display: none }</style>", ["<style>"]),
]


@pytest.mark.parametrize(("fragment", "report"), DANGEROUS)
def test_dangerous_html_is_removed_and_reported(fragment, report):
    out = clean(fragment)
    assert_safe(out)
    assert "alert" not in out and "evil" not in out and "display: none" not in out
    assert removed(fragment) == report


def test_fallback_text_of_removed_tags_stays():
    assert clean('<object data="movie.swf">запасной текст</object>') == "запасной текст"
    assert clean("<form><button>Войти</button></form>") == "Войти"


def test_a_page_keeps_the_renderer_and_loses_the_attack(rendered):
    attack = (
        '<p>Раз <img src=x onerror="alert(1)"> <a href="javascript:alert(2)">два</a></p>\n'
        "<script>alert(3)</script>\n"
    )
    out = clean(rendered + attack)
    assert_safe(out)
    assert "alert" not in out
    assert clean(rendered) in out


@pytest.mark.parametrize(
    "fragment",
    [
        "<span style='color:red'>",  # an inline tag opened in one place of a paragraph…
        "</span>",  # …and closed in another: neither is a removal
        # An html_block cut off its table by a blank line: the HTML parser drops it, not the sanitizer.
        "<td>**в ячейке**</td>",
        "<details open><summary>Итого</summary>",
        '<iframe src="https://www.youtube.com/embed/xyz" allowfullscreen></iframe>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "<!-- комментарий -->",
        '<a href="../%D0%90/#^fact" id="^fact" title="Альфа &amp; Бета">a &lt; b</a>',
    ],
)
def test_safe_fragments_report_nothing(fragment):
    assert removed(fragment) == []
