"""Translations outside a request: e-mails written in the recipient's language by services and the scheduler."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).with_name("translations")


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The message catalogue of ``lang`` ("sv", "en"); English (the msgids) when there is none."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang], domain="messages")


def gettext(lang: str, message: str, **values) -> str:
    text = translations(lang).gettext(message)
    return text % values if values else text
