"""Where uploaded files go in a process bundle, and reading them as text (the API and the studio's upload form)."""
from __future__ import annotations

import posixpath
from collections.abc import Iterable

from app.letters import templates as letter_templates

from .errors import InvalidInput

UPLOAD_TYPES = (".bpmn", ".dmn", ".json", ".html", ".htm", ".form")
FORM_TYPES = (".json", ".html", ".htm", ".form")


def bundle_name(filename: str) -> str:
    """Where an uploaded file goes in the bundle: diagrams at the top, forms (JSON, HTML, form-js) under forms/,
    letters (letters/<kind>.<lang>.html, letters/_<part>.html) under letters/."""
    name = posixpath.normpath((filename or "").replace("\\", "/")).lstrip("/")
    base = posixpath.basename(name)
    if not base or name.startswith("..") or not base.endswith(UPLOAD_TYPES):
        raise InvalidInput([{"field": "files", "message": f"{filename!r}: upload .bpmn, .dmn or form files "
                                                          "(.json, .html, .form), or letters (letters/*.html)"}])
    if name.startswith("letters/") or letter_templates.parse_name(f"letters/{base}") or base.startswith("_"):
        return f"letters/{base}"
    return f"forms/{base}" if base.endswith(FORM_TYPES) else base


def read(uploads: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """{bundle name: text} of uploaded (file name, content) pairs; UTF-8 text only."""
    files = {}
    for filename, content in uploads:
        name = bundle_name(filename)
        try:
            files[name] = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput([{"field": "files", "message": f"{filename!r} is not UTF-8 text"}]) from None
    if not files:
        raise InvalidInput([{"field": "files", "message": "send one or more files as multipart/form-data "
                                                          "fields named 'files'"}])
    return files
