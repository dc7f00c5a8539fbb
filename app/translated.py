"""A service's or handler's message in the reader's language, inside a request (Flask-Babel).

Its own module so that both the responses and the template filters use it without importing each other.
"""
from __future__ import annotations

from flask_babel import gettext


def translated(message: str) -> str:
    """A message from a service or handler in the reader's language (``handlers.i18n.Message`` keeps its values)."""
    template = getattr(message, "template", None)
    if template is not None:
        return gettext(template, **message.params)
    return gettext(message)
