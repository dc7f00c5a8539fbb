"""Letter templates of a process bundle: ``letters/<kind>.<lang>.html``.

Templates are Jinja2 in a sandboxed environment (process owners write them),
HTML-escaped, with undefined names an error rather than blank text. Files named
``letters/_<name>.html`` are shared parts (a layout to extend), not letters.
The ``<title>`` of a letter is the subject of the e-mail that carries it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import FunctionLoader, StrictUndefined, TemplateError, TemplateSyntaxError, pass_context
from jinja2.sandbox import SandboxedEnvironment
from lxml import html as lxml_html

from . import variables

LETTER_DIR = "letters/"
LANGUAGES = ("sv", "en")
BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_LETTER = re.compile(r"^letters/(?P<kind>[a-z][a-z0-9_]*)\.(?P<lang>[a-z]{2})\.html$")
_PART = re.compile(r"^letters/_[a-z0-9_]+\.html$")


class LetterError(Exception):
    """A letter could not be made (missing or broken template)."""


@dataclass(frozen=True)
class Rendered:
    html: str
    subject: str


def letter_name(kind: str, lang: str) -> str:
    return f"{LETTER_DIR}{kind}.{lang}.html"


def parse_name(name: str) -> tuple[str, str] | None:
    """(kind, language) of a letter file, or None for a shared part or anything else."""
    match = _LETTER.match(name)
    return (match["kind"], match["lang"]) if match else None


def is_letter_file(name: str) -> bool:
    return name.startswith(LETTER_DIR) and name.endswith(".html")


def _as_date(value, tz: ZoneInfo) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).date()
    if isinstance(value, date):
        return value
    text = str(value)
    if "T" in text:
        return datetime.fromisoformat(text).astimezone(tz).date()
    return date.fromisoformat(text)


def environment(files: Mapping[str, str], tz: ZoneInfo) -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment over the bundle's letter files, with the letter filters."""
    templates = {name[len(LETTER_DIR):]: text for name, text in files.items() if is_letter_file(name)}

    def load(name: str):
        # The file name makes tracebacks (and so deploy problems) point at the template's own lines.
        return (templates[name], LETTER_DIR + name, lambda: True) if name in templates else None

    env = SandboxedEnvironment(loader=FunctionLoader(load), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)

    @pass_context
    def date_filter(ctx, value):
        day = _as_date(value, tz)
        return "" if day is None else format_date(day, "long", locale=BABEL_LOCALES.get(ctx.get("lang"), "sv_SE"))

    @pass_context
    def money_filter(ctx, value):
        amount = format_decimal(value or 0, locale=BABEL_LOCALES.get(ctx.get("lang"), "sv_SE"))
        return f"{amount} kr" if ctx.get("lang", "sv") == "sv" else f"SEK {amount}"

    env.filters["date"] = date_filter
    env.filters["money"] = money_filter
    return env


def render(env: SandboxedEnvironment, kind: str, lang: str, context: Mapping) -> Rendered:
    """Render letter ``kind`` in ``lang``; its ``<title>`` becomes the subject."""
    name = f"{kind}.{lang}.html"
    try:
        html = env.get_template(name).render({**context, "lang": lang})
    except TemplateError as exc:
        raise LetterError(f"{LETTER_DIR}{name}: {exc}") from exc
    return Rendered(html=html, subject=subject_of(html))


def subject_of(html: str) -> str:
    title = lxml_html.fromstring(html).findtext(".//title") if html.strip() else None
    return " ".join((title or "").split())


# ------------------------------------------------------------------ deploy checks


Found = list[tuple[str | None, int | None, str]]


def problems(files: Mapping[str, str], needed: Mapping[str, str], tz: ZoneInfo) -> Found:
    """Every problem of the bundle's letters as (file, line, message).

    ``needed`` maps each letter kind the diagram's service operations send to
    one operation that sends it. Each letter compiles, exists in every
    language, renders with the documented variables and has a title.
    """
    env = environment(files, tz)
    found, kinds = _compile_problems(env, files)
    for kind, op in sorted(needed.items()):
        missing = [lang for lang in LANGUAGES if lang not in kinds.get(kind, set())]
        found.extend((letter_name(kind, lang), None,
                      f"missing: service operation {op!r} sends the letter {kind!r} in every language")
                     for lang in missing)
    if found:
        return found
    for kind, langs in sorted(kinds.items()):
        for lang in sorted(langs):
            found.extend(_render_problems(env, kind, lang))
        found.extend((letter_name(kind, lang), None,
                      f"missing: letter {kind!r} exists in {', '.join(sorted(langs))} but not in {lang}")
                     for lang in LANGUAGES if lang not in langs)
    return found


def _compile_problems(env, files: Mapping[str, str]) -> tuple[Found, dict[str, set[str]]]:
    """Names and syntax of every letter file; the languages each letter kind exists in."""
    found: Found = []
    kinds: dict[str, set[str]] = {}
    for name in sorted(n for n in files if is_letter_file(n)):
        parsed = parse_name(name)
        if parsed is None and not _PART.match(name):
            found.append((name, None, "a letter file is named letters/<kind>.<language>.html (e.g. "
                                      "letters/receipt.sv.html), a shared part letters/_<name>.html"))
        elif parsed is not None and parsed[1] not in LANGUAGES:
            found.append((name, None, f"language {parsed[1]!r} is not one of {', '.join(LANGUAGES)}"))
        else:
            if parsed is not None:
                kinds.setdefault(parsed[0], set()).add(parsed[1])
            try:
                env.parse(files[name], name=name[len(LETTER_DIR):], filename=name)
            except TemplateSyntaxError as exc:
                found.append((name, exc.lineno, f"template error: {exc.message}"))
    return found, kinds


def _render_problems(env, kind: str, lang: str) -> Found:
    name = letter_name(kind, lang)
    try:
        html = env.get_template(f"{kind}.{lang}.html").render(variables.sample(kind, lang))
    except TemplateError as exc:
        return [(*_template_line(exc, name), f"cannot be rendered: {exc}")]
    except Exception as exc:  # a template can fail in any way (e.g. a filter given text it cannot read)
        return [(*_template_line(exc, name), f"cannot be rendered: {type(exc).__name__}: {exc}")]
    if not subject_of(html):
        return [(name, None, "the letter has no <title>; it is the subject of the e-mail")]
    return []


def _template_line(exc: BaseException, default: str) -> tuple[str, int | None]:
    """The template file and line where rendering failed (Jinja2 rewrites tracebacks to template lines)."""
    tb, where = exc.__traceback__, (default, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(LETTER_DIR):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return where
