"""Security headers on every response: pages, API answers, downloads and static files alike.

The Content-Security-Policy lets pages run only the app's own script files
(``app/static``, the vendored bpmn-js and dmn-js among them): no inline
scripts, no inline event handlers, nothing from other sites, and no framing.
JSON data for scripts travels in ``<script type="application/json">`` blocks,
which browsers never execute. Inline *styles* are refused too, except on the
pages that show a diagram (views marked ``@draws_diagrams``): bpmn-js and dmn-js
position diagram elements with ``style`` attributes.

HSTS is sent whenever ``LOTSEN_SECURE_COOKIES=1`` says the site is served over
HTTPS, even when a proxy in front ends TLS (browsers ignore it over plain HTTP).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, g

from app.config import Settings


def _csp(style_src: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style_src}",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CSP = _csp("'self'")
DIAGRAM_CSP = _csp("'self' 'unsafe-inline'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"
#: For files people uploaded: even opened in the browser, they run nothing and load nothing.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def draws_diagrams(view: Callable) -> Callable:
    """Mark a page that shows bpmn-js or dmn-js: its CSP allows inline styles."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.csp = DIAGRAM_CSP
        return view(*args, **kwargs)

    return wrapper


def init_app(app: Flask, settings: Settings) -> None:
    headers = dict(HEADERS)
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", g.get("csp", CSP))
        return response
