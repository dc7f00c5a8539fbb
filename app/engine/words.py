"""Reasons the engine gives people, kept translatable: an English template and its values.

A ``Reason`` is shown in the reader's language by the web layer
(``gettext(template) % values``); values that are themselves words (an element's
name, which may have a Swedish title) are ``Words`` with an English and a
Swedish form.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def N_(message: str) -> str:  # the conventional gettext marker
    """Mark a template for translation; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Words:
    en: str
    sv: str | None = None

    def text(self, locale: str) -> str:
        return self.sv if locale == "sv" and self.sv else self.en

    def __str__(self) -> str:
        return self.en


def label(spec) -> Words:
    """An element's name in quotes, with its Swedish title (``title_sv``) when it has one."""
    name = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
    title_sv = ((getattr(spec, "extensions", None) or {}).get("properties") or {}).get("title_sv")
    return Words(repr(name), repr(title_sv) if title_sv else None)


@dataclass(frozen=True)
class Reason:
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, locale: str = "en", translate: Callable[[str], str] | None = None) -> str:
        """The reason in ``locale``; ``translate`` is gettext for that locale (English without it)."""
        values = {k: v.text(locale) if isinstance(v, Words) else str(v) for k, v in self.values.items()}
        template = translate(self.template) if translate is not None else self.template
        return template % values

    def __str__(self) -> str:
        return self.text()

    def to_dict(self) -> dict:
        return {"template": self.template,
                "values": {k: {"en": v.en, "sv": v.sv} if isinstance(v, Words) else str(v)
                           for k, v in self.values.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> Reason:
        values = {k: Words(v["en"], v.get("sv")) if isinstance(v, Mapping) else v
                  for k, v in (data.get("values") or {}).items()}
        return cls(data["template"], values)
