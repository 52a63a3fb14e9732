"""Markdown written by people, turned into HTML that is safe to show.

markdown-it renders CommonMark with raw HTML switched off; nh3 (the Rust ammonia sanitizer) then
keeps only an allow-list of tags and attributes, so no script, style or event handler survives
even if the renderer had a bug."""
import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_renderer.disable("image")  # photos go through the upload path, which re-encodes them

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Sanitized HTML for ``text``; headings are shifted down so they never compete with the page's."""
    html = _renderer.render(text or "")
    for level, shifted in (("h1", "h3"), ("h2", "h4")):
        html = html.replace(f"<{level}>", f"<{shifted}>").replace(f"</{level}>", f"</{shifted}>")
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
