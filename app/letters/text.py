"""The plain-text version of a letter, for the body of the e-mail that carries it."""
from __future__ import annotations

import re

from lxml import html as lxml_html

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "ul", "ol", "section",
           "header", "footer", "address", "dl", "dt", "dd", "blockquote"}
#: Blocks followed by a line break only (the rest by an empty line).
_LINES = {"li", "tr", "dt", "dd", "div"}


def html_to_text(html: str) -> str:
    """Paragraphs and headings on their own lines, list items with a dash, table cells side by side."""
    root = lxml_html.fromstring(html)
    for bad in root.xpath("//head|//style|//script"):
        bad.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.text = _collapse(el.text) if el.tag != "pre" else el.text
        el.tail = _collapse(el.tail)
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        if el.tag == "li":
            el.text = "– " + (el.text or "")
        if el.tag in ("td", "th"):
            el.tail = "  " + (el.tail or "")
        if el.tag in _BLOCKS:
            el.tail = ("\n" if el.tag in _LINES else "\n\n") + (el.tail or "")
    lines = [line.strip() for line in root.text_content().splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _collapse(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text)
