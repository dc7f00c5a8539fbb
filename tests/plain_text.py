"""What a person reads on a page, and the internal words they must never read there."""
from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[1] / "app" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
#: Attributes a reader sees or hears (placeholders, tooltips, screen readers).
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CODE = re.compile(r"\b(?:case|task|engine|message|handler|letter|survey|conversation|user|group|timer)\.[a-z_]+\b")
ENGLISH = re.compile(r"\b(?:the|and|your|you|of|with|will|been|has|have|not|for|this|that|from|please|"
                     r"application|decision|task|case|received|granted|refused|pending|review|triage)\b", re.I)
SKIP_TAGS = {"script", "style", "code", "pre"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    """The page's text as a reader meets it, piece by piece (no scripts, styles or code samples)."""
    parser = _Text()
    parser.feed(html)
    return parser.parts


@lru_cache(maxsize=1)
def english_msgids() -> frozenset[str]:
    """Catalogue entries of several words whose Swedish differs: seen in English on a Swedish page, untranslated."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    found = set()
    for message in catalog:
        text = message.id if isinstance(message.id, str) else ""
        if " " in text and message.string != text and "%(" not in text and "{" not in text:
            found.add(text)
    return frozenset(found)


def problems(html: str, *, swedish: bool, allowed: tuple[str, ...] = ()) -> list[str]:
    """Every internal code, snake_case word or (on a Swedish page) English fragment a reader would see."""
    out = []
    for part in visible_text(html):
        text = re.sub(r"\S+@\S+|https?://\S+|\b[\w-]+\.(?:pdf|png|jpe?g|html)\b", " ", part)
        for word in allowed:
            text = text.replace(word, " ")
        out += [f"code {m!r} in {part!r}" for m in SNAKE.findall(text) + CODE.findall(text)]
        if swedish:
            out += [f"English {m!r} in {part!r}" for m in ENGLISH.findall(text)]
            out += [f"untranslated {part!r}" for msgid in english_msgids() if msgid == part]
    return sorted(set(out))
