"""Messages people read, kept translatable: English text that remembers its template and values."""
from __future__ import annotations


class Message(str):
    """A message in English (what the API returns) that the web layer can show translated.

    ``Message("the deadline %(due)s has passed", due="2026-04-13")`` is the
    string ``"the deadline 2026-04-13 has passed"``; ``template`` and
    ``params`` let a page look the template up in its catalogue and fill in
    the same values.
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text


def N_(template: str, **params) -> Message:
    """Mark ``template`` for translation (``make extract-messages`` finds it) and fill in ``params``."""
    return Message(template, **params)
