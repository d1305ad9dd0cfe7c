"""Markdown to sanitized HTML. Whatever people paste, script, event handlers and javascript: URLs
never survive: nh3 (a binding of the Rust ammonia sanitizer) keeps an allow-list of tags and
attributes and only http(s) and mailto links."""

import markdown as markdown_lib
import nh3
from markdown.extensions.tables import TableExtension

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "img",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def render(text: str) -> str:
    extensions = [TableExtension(use_align_attribute=True), "fenced_code", "sane_lists"]
    html = markdown_lib.markdown(text or "", extensions=extensions)
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"})
