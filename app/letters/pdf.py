"""PDFs of letters, made with WeasyPrint from the frozen HTML and cached by content.

The cache key is the sha256 of the letter's HTML: a letter never changes, so
its PDF is made once (on first download, or by the outbox before attaching it)
and then read from disk. WeasyPrint fetches nothing: a letter's resources must
be inline (``data:`` URLs).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher

#: Part of the cache key, so a change in how PDFs are made gives new files.
RENDERER = "weasyprint-1"


def cache_key(html: str) -> str:
    return hashlib.sha256(f"{RENDERER}\0{html}".encode()).hexdigest()


def render_pdf(html: str) -> bytes:
    # Only data: URLs: a letter never reads files or the network (WeasyPrint skips what it may not fetch).
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}), base_url=None).write_pdf()


def cached_pdf(html: str, cache_dir: Path) -> Path:
    """The PDF of ``html``, made now if it is not in the cache yet."""
    target = cache_dir / f"{cache_key(html)}.pdf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = render_pdf(html)
    tmp = target.with_suffix(f".{hashlib.sha256(data).hexdigest()[:12]}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)  # atomic: two workers making the same PDF both end with one whole file
    return target
