"""Where a redirect may go when its target comes from the request: only back into this site.

``next=`` parameters and the ``Referer`` header are chosen by whoever sent the
request, so every redirect built from them goes through ``same_site_path``.
Browsers forgive a lot in a URL (they drop tabs and line breaks, read ``\\`` as
``/``), so anything that is not plainly a path on this site is refused rather
than cleaned up.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

_UNSAFE = frozenset(chr(c) for c in range(0x21)) | {"\x7f", "\\"}


def same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site ("/inbox?x=1"), else None."""
    if not target or not target.startswith("/") or any(ch in _UNSAFE for ch in target):
        return None
    if target.startswith("//"):
        return None  # scheme-relative: another host
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it stays on this site, else ``fallback``."""
    return same_site_path(target) or fallback


def back(fallback: str) -> str:
    """The page the request came from when it is on this site (same origin), else ``fallback``."""
    referrer = request.referrer
    if not referrer:
        return fallback
    parts, own = urlsplit(referrer), urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return fallback
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return same_site_path(path) or fallback
