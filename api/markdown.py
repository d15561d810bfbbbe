"""The organizer's Markdown (competition description, rules, data terms, what to submit) as safe
HTML, with markdown-it-py: CommonMark plus tables; raw HTML is not interpreted (it shows as
text); links and images whose URL is not http(s), mailto, a relative path or an anchor are
dropped (markdown-it's link check already refuses javascript:, vbscript:, file: and data:);
links get ``rel="nofollow noopener noreferrer"``; headings are shifted down two levels so the
page keeps its own h1/h2 outline."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("", "http", "https", "mailto")
HEADING_SHIFT = 2


def _safe_url(url: str) -> bool:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    default_check = md.validateLink
    md.validateLink = lambda url: default_check(url) and _safe_url(url)

    def link_open(self, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return self.renderToken(tokens, idx, options, env)

    def heading(self, tokens, idx, options, env):
        level = min(6, int(tokens[idx].tag[1]) + HEADING_SHIFT)
        tokens[idx].tag = f"h{level}"
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


@lru_cache(maxsize=64)  # the same few organizer texts on every page view
def _render(text: str) -> str:
    return _parser().render(text)


def render(text: str | None) -> Markup:
    """Markdown -> HTML that is safe to insert into a page (empty for an empty text)."""
    return Markup(_render(text)) if text and text.strip() else Markup("")
