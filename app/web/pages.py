"""Lists in pages on the HTML side: the page size from the link, "next page" and "first page" links."""
from __future__ import annotations

from collections.abc import Callable

from flask import request, url_for

from app.services import keyset
from app.services.errors import InvalidInput

#: The sizes offered in a list's "per page" choice (a link may ask for any size the lists allow).
SIZES = (25, 50, 100, 200)


def size() -> int:
    """The page size from the link; a bad one falls back to the default."""
    try:
        return keyset.page_size(request.args.get("size"))
    except InvalidInput:
        return keyset.DEFAULT_SIZE


def sizes() -> list[int]:
    return sorted({*SIZES, size()})


def page_or_first(fetch: Callable[[str | None], keyset.Page]) -> keyset.Page:
    """The page the link points at; a stale or mangled "next page" link shows the first page instead."""
    try:
        return fetch(request.args.get("after") or None)
    except InvalidInput:
        return fetch(None)


def links(page: keyset.Page, endpoint: str) -> dict:
    """Template values: the page, the size choices, and links to the next page and back to the first one."""
    args = {k: v for k, v in request.args.to_dict().items() if k != "after"}
    return {"page": page, "sizes": sizes(),
            "next_url": url_for(endpoint, **args, after=page.next) if page.next else None,
            "first_url": url_for(endpoint, **args) if request.args.get("after") else None}
