"""Raw HTML in notes made safe the way Obsidian's reading view makes it safe.

Obsidian runs the HTML of a rendered note through DOMPurify: ordinary formatting HTML, `<iframe>`,
`<details>`, `style` attributes stay; `<script>`, `on…=` handlers, `javascript:` URLs, `<object>`,
`<embed>` go. `clean()` does the same to one page of the site with nh3, the Python binding of the
Rust sanitizer Ammonia (https://github.com/rust-ammonia/ammonia): a well-kept allowlist sanitizer
that parses with html5ever (the HTML5 parsing algorithm, so it reads markup as a browser does), and
is fast. nh3 decides everything here:
no regular expression touches the markup.

Speed, measured on 50 KB of this site's own rendered notes (Pygments code blocks, tables, links;
about 600 attributes): `clean()` takes 1.6 ms on a quiet machine, 2.3-2.6 ms with other jobs on its
two cores (nh3 0.3.8, Python 3.11; best of 7 × 100 runs), of which 0.25-0.5 ms is the Python
callback that keeps `data:` URLs to media sources. bleach (html5lib, deprecated upstream since
2023) with the same allowlist took 79 ms on the same page.

`removed(fragment)` says, for one piece of raw HTML written in a note, what `clean()` takes out of
it, as short human descriptions: the same cleaner is the authority, this only compares its output
with its input.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nh3

# -- the allowlist ---------------------------------------------------------------------------------
#
# DOMPurify's default HTML allowlist (the profile Obsidian starts from), less what a published page
# must not have, plus what Obsidian adds (`<iframe>`, for "Embed web pages"), plus everything our
# renderer (tools/site/render.py: markdown-it-py, pymdownx.highlight and Pygments, Material's markup)
# emits: the renderer's output goes through `clean()` with the note's raw HTML, so it has to come
# out unchanged.
#
# Left out, though DOMPurify's default keeps them:
# - `<style>`: DOMPurify keeps a `<style>` element (it drops one only when the browser's parser
#   hoists it into <head>, i.e. when it opens the fragment). On the site a note's stylesheet would
#   restyle the whole page, navigation and other notes' embeds included, and CSS selectors with
#   url() can read attribute values out; so it goes, content and all. `style` attributes stay.
# - `<form>` and its controls (`<button>`, `<select>`, `<textarea>`, …): a note has nothing to send,
#   and a fake login form is the classic abuse. Their text stays. `<input>` stays only as the
#   task-list checkbox: every `<input>` becomes `type="checkbox"` (see SET_ATTRIBUTES).
# - SVG and MathML (DOMPurify allows a safe subset): our renderer emits neither in a note, and
#   each would add a large second allowlist. Their text content stays.
# - `<dialog>`, `<canvas>`, `<template>`, `<marquee>`/`<blink>` and the obsolete `<content>`,
#   `<shadow>`, `<element>`, `<decorator>`, `<spacer>`.
# Not in DOMPurify's list and not here either: `<script>`, `<object>`, `<embed>`, `<applet>`,
# `<param>`, `<base>`, `<meta>`, `<link>`, `<frame>`, `<frameset>`, `<noscript>`, `<title>`.
# DOMPurify's SANITIZE_DOM (dropping an `id`/`name` such as "cookie" that would shadow a property
# of `document`) has no counterpart in nh3: ids are kept as written, as our anchors need.
TAGS = frozenset(
    {
        # text and sections
        "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big",
        "blockquote", "br", "center", "cite", "code", "data", "dd", "del", "details", "dfn",
        "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hgroup", "hr", "i", "ins", "kbd", "label", "li", "main",
        "mark", "menu", "meter", "nav", "nobr", "ol", "p", "pre", "progress", "q", "rp", "rt",
        "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub", "summary",
        "sup", "time", "tt", "u", "ul", "var", "wbr",
        # tables
        "caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        # media and embeds
        "area", "audio", "iframe", "img", "map", "picture", "source", "track", "video",
        # the task-list checkbox
        "input",
    }
)

# Removed with everything inside them; any other tag that is not allowed loses only its tags (its
# text stays, as DOMPurify's KEEP_CONTENT does: `<object>`'s fallback content is shown).
CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "title", "xmp", "noembed", "noframes"}
)

# On every allowed tag. `data-*` and `aria-*` too (GENERIC_PREFIXES), as in DOMPurify.
GENERIC_ATTRIBUTES = frozenset(
    {"class", "id", "title", "lang", "dir", "style", "role", "hidden", "translate", "tabindex", "align"}
)
GENERIC_PREFIXES = frozenset({"data-", "aria-"})

ATTRIBUTES = {
    "a": {"href", "name", "rel", "target", "hreflang", "type"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes", "usemap"},
    "audio": {"src", "controls", "autoplay", "loop", "muted", "preload", "crossorigin"},
    "video": {"src", "controls", "autoplay", "loop", "muted", "preload", "crossorigin", "poster",
              "width", "height", "playsinline"},
    "source": {"src", "type", "srcset", "sizes", "media", "width", "height"},
    "track": {"src", "kind", "srclang", "label", "default"},
    # No `srcdoc` (it is a whole HTML document) and no `name` (a target for links and forms).
    "iframe": {"src", "width", "height", "loading", "allow", "allowfullscreen", "frameborder",
               "referrerpolicy", "sandbox", "scrolling"},
    "input": {"checked", "disabled"},
    "label": {"for"},
    "map": {"name"},
    "area": {"href", "alt", "shape", "coords", "target", "rel"},
    "ol": {"start", "reversed", "type"},
    "ul": {"type"},
    "li": {"value"},
    "table": {"border", "cellpadding", "cellspacing", "width", "summary"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "td": {"colspan", "rowspan", "headers", "width", "valign"},
    "th": {"colspan", "rowspan", "headers", "width", "valign", "scope", "abbr"},
    "tr": {"valign"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
    "font": {"color", "face", "size"},
    "meter": {"value", "min", "max", "low", "high", "optimum"},
    "progress": {"value", "max"},
    "hr": {"width", "size", "noshade"},
}

# Every <input> that survives is a checkbox, whatever it was written as (a form control without a
# form sends nothing; a text or password box would still invite typing). `disabled` is not forced:
# nh3 would rewrite the renderer's disabled="disabled" as disabled="" (the same to a browser).
SET_ATTRIBUTES = {"input": {"type": "checkbox"}}

# The schemes DOMPurify's IS_ALLOWED_URI lets through in href/src (plus `data:`, see below); a
# relative URL ("../Note/", "#раздел", "?q") has no scheme and is kept, as there. Ammonia reads the
# scheme as a browser does (case, leading spaces and control characters, tabs and newlines inside
# "java\tscript:" do not hide it).
URL_SCHEMES = frozenset(
    {"http", "https", "mailto", "tel", "ftp", "ftps", "callto", "sms", "cid", "xmpp", "data",
     # and the schemes Obsidian users link to apps with: no script runs from any of them
     "obsidian", "zotero", "irc", "ircs", "matrix", "magnet", "geo", "webcal", "news", "sftp", "ssh",
     "vault-own"}  # OWN, below
)
# `data:` URLs only where DOMPurify takes them (DATA_URI_TAGS, `src` only): a pasted base64 image
# is still shown, a `data:text/html` link or frame is not. Ammonia checks schemes per attribute
# name, not per tag, hence the callback.
DATA_URI_TAGS = frozenset({"img", "audio", "video", "source", "track"})
# The attributes Ammonia treats as URLs (ammonia's is_url_attr).
URL_ATTRIBUTES = frozenset({"href", "src", "action", "data", "formaction", "ping", "poster"})

_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _scheme(url: str) -> str | None:
    """The scheme of `url` as the URL standard reads it (the one Ammonia's url crate implements):
    spaces and C0 controls at either end and every tab or newline ignored; None if relative."""
    url = url.strip(_C0_AND_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    head, colon, _ = url.partition(":")
    if not colon or not head or not (head[0].isascii() and head[0].isalpha()):
        return None
    if all(ch.isascii() and (ch.isalnum() or ch in "+-.") for ch in head):
        return head.lower()
    return None


# Our renderer marks the URLs it made itself (already resolved, relative to the page); any other
# relative URL came from a note's raw HTML and is resolved by the vault's rules, or dropped.
OWN = "vault-own:"
_local = None  # the page's resolver of raw HTML's relative URLs while clean() runs


def _no_stray_data_urls(tag: str, attribute: str, value: str) -> str | None:
    # Called by nh3 for each attribute it has already allowed, its URL already checked.
    if attribute not in URL_ATTRIBUTES:
        return value
    if value.startswith(OWN):
        return value[len(OWN):]
    scheme = _scheme(value)
    if scheme == "data" and not (tag in DATA_URI_TAGS and attribute == "src"):
        return None
    if scheme is None and _local is not None and value.strip() and not value.startswith(("#", "/")):
        return _local(tag, attribute, value)
    return value


def _cleaner(**overrides) -> nh3.Cleaner:
    options = dict(
        tags=set(TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={"*": set(GENERIC_ATTRIBUTES), **{tag: set(names) for tag, names in ATTRIBUTES.items()}},
        generic_attribute_prefixes=set(GENERIC_PREFIXES),
        set_tag_attribute_values=SET_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_no_stray_data_urls,
        # nh3 would add rel="noopener noreferrer" to every link: our own links are no risk, and
        # browsers imply noopener for target="_blank" anyway. `rel` as written in a note stays.
        link_rel=None,
        # Obsidian shows no HTML comment either.
        strip_comments=True,
    )
    options.update(overrides)
    return nh3.Cleaner(**options)


_CLEANER = _cleaner()


def clean(html: str, local=None) -> str:
    """The rendered HTML of one note page (our renderer's output with the note's raw HTML in it),
    with what Obsidian's reading view would not run or show taken out.

    The markup comes back as html5ever serializes it: the same elements and attributes, but e.g.
    `<br/>` as `<br>`, `disabled` as `disabled=""`, `&quot;` in text as `"`, `&copy;` as `©`, a
    `<tbody>` where a browser puts one; `&amp;`, `&lt;`, `&gt;` and `&nbsp;` stay escaped. One loss
    that is html5ever's (and the browsers' own innerHTML's): a raw `<pre>` whose text starts with
    two newlines comes out with one, so the browser then shows one blank line fewer.

    `local(tag, attribute, url)` gives the URL a relative `src` or `href` of the note's raw HTML
    leads to on the site, or None to drop it (a file the vault does not have)."""
    global _local
    _local = local
    try:
        return _CLEANER.clean(html)
    finally:
        _local = None


# -- what clean() takes out of one fragment --------------------------------------------------------


class _Elements(HTMLParser):
    """The start tags of a piece of HTML, in document order, as (tag, {attribute: value})."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        seen: dict[str, str] = {}
        for name, value in attrs:
            seen.setdefault(name, value or "")  # the first of a repeated attribute wins, as in HTML
        self.elements.append((tag, seen))

    handle_startendtag = handle_starttag


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


# A prefix per printable ASCII character: every attribute a note can write (nh3 has no wildcard).
_EVERY_ATTRIBUTE = frozenset(chr(c) for c in range(0x21, 0x7F))


def removed(fragment: str) -> list[str]:
    """What `clean()` takes out of one piece of raw HTML written in a note, e.g. `["<script>",
    "onerror= on <img>", "javascript: URL in href of <a>"]`; [] when it keeps it whole.

    Both sides come from nh3: the fragment as nh3 parses it with everything allowed (so that what
    the HTML parser itself does, such as dropping a `<td>` outside a table, dropping a lone
    `</span>` or closing a lone `<span>`, is not counted as a removal), and the fragment cleaned
    with clean()'s settings. Their start tags are compared in document order. Not reported: HTML
    comments (Obsidian hides them too) and a URL so malformed that nh3 drops it even with every
    scheme allowed (`href="http://[::1"`)."""
    found = _elements(fragment)
    schemes = {s for _, attrs in found for value in attrs.values() if (s := _scheme(value))}
    as_parsed = _cleaner(
        tags=set(TAGS) | {tag for tag, _ in found},
        clean_content_tags=set(),
        attributes={},
        generic_attribute_prefixes=set(_EVERY_ATTRIBUTE),
        set_tag_attribute_values={},
        url_schemes=set(URL_SCHEMES) | schemes,
        attribute_filter=None,
    ).clean(fragment)
    before, after = _elements(as_parsed), _elements(_CLEANER.clean(fragment))
    notes: list[str] = []
    kept = iter(after)
    match = next(kept, None)
    for tag, attrs in before:
        if match is None or match[0] != tag:
            notes.append(f"<{tag}>")
            continue
        now = match[1]
        for name, value in attrs.items():
            if name not in now:
                if name in URL_ATTRIBUTES:
                    scheme = _scheme(value)
                    where = f"URL in {name} of <{tag}>"
                    notes.append(f"{scheme}: {where}" if scheme else f"invalid {where}")
                else:
                    notes.append(f"{name}= on <{tag}>")
            elif now[name] != value:
                notes.append(f'{name}="{value}" on <{tag}> (made "{now[name]}")')
        match = next(kept, None)
    return list(dict.fromkeys(notes))
