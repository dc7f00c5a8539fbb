"""The audit trail names what happened in words (Swedish and English); the codes stay there to search by."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.services import audit_verify
from app.web.action_words import ACTION_WORDS
from tests.helpers import Api, Browser, csrf

ROOT = Path(__file__).resolve().parent.parent

#: Where an event type is computed rather than written out, (file, function): the types it can record.
#: A new computed site fails the test below until it is listed here (and its types have words).
COMPUTED = {
    ("app/services/audit.py", "record_now"): set(),  # passes its caller's type on
    ("app/services/users.py", "end_sessions"): {"auth.logout"},
    ("app/services/messages.py", "_material_not_asked_for"): {"case.supplement_received",
                                                                "case.own_initiative_supplement"},
    ("app/services/appeals.py", "register_appeal"): {"appeal.forwarded", "appeal.dismissed"},
    ("app/services/runner.py", "_project"): set(),  # host.record_event kinds and engine events, collected below
    ("app/services/retention.py", "erase_case"): {audit_verify.REDACTION},
}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class _Collector(ast.NodeVisitor):
    """Event types in one module: ``audit.record(action="x.y")``, ``host.record_event("k")`` (recorded as
    ``case.k``) and the engine's ``{"action": "engine.x"}`` events; computed ``action=`` sites by function."""

    def __init__(self, path: str):
        self.path, self.function = path, None
        self.types: set[str] = set()
        self.computed: set[tuple[str, str]] = set()

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def visit_Call(self, node):
        name = _name(node.func)
        if name in ("record", "record_now"):
            for kw in node.keywords:
                if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                    self.types.add(kw.value.value)
                elif kw.arg == "action":
                    self.computed.add((self.path, self.function))
        if name == "record_event" and node.args and isinstance(node.args[0], ast.Constant):
            self.types.add("case." + node.args[0].value)
        self.generic_visit(node)

    def visit_Dict(self, node):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "action" and isinstance(value, ast.Constant) \
                    and isinstance(value.value, str):
                self.types.add(value.value)
        self.generic_visit(node)

    def visit_Assign(self, node):
        target = node.targets[0]
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                and target.slice.value == "action" and isinstance(node.value, ast.Constant):
            self.types.add(node.value.value)
        self.generic_visit(node)


def emitted_event_types() -> tuple[set[str], set[tuple[str, str]]]:
    types, computed = set(), set()
    for path in sorted([*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]):
        collector = _Collector(str(path.relative_to(ROOT)))
        collector.visit(ast.parse(path.read_text(encoding="utf-8")))
        types |= collector.types
        computed |= collector.computed
    return types, computed


def test_every_event_type_the_code_records_has_words():
    types, computed = emitted_event_types()
    assert {"task.completed", "case.received", "engine.timer_fired", "user.created"} <= types  # the scan sees them
    assert computed == set(COMPUTED), "a computed event type: list its types in COMPUTED"
    types |= set().union(*COMPUTED.values())
    assert sorted(types - set(ACTION_WORDS)) == []


def test_every_event_type_has_swedish_words():
    from app.i18n import translations

    catalogue = translations("sv")
    untranslated = [code for code, words in ACTION_WORDS.items() if catalogue.gettext(words._args[0]) ==
                    words._args[0]]
    assert untranslated == []


@pytest.fixture
def admin(app, actors):
    browser = Browser(app)
    browser.login("adam")
    return browser


def test_the_audit_trail_says_what_happened_in_swedish_and_keeps_the_code_to_search_by(app, client, actors, admin):
    Api(client, actors).as_("applicant").submit()
    page = admin.get("/admin/audit?actor=anna").get_data(as_text=True)
    assert 'data-action="case.submitted">Ansökan inskickad<br><code class="event-code"' in page
    assert "Vad hände" in page
    assert '<option value="task.completed" label="Uppgift slutförd">' in page  # the search offers words too
    filtered = admin.get("/admin/audit?action=case.submitted").get_data(as_text=True)
    results = re.search(r'<table[^>]*id="audit-results">(.*?)</table>', filtered, re.S).group(1)
    assert 'data-action="case.submitted"' in results and 'data-action="case.received"' not in results
    assert "Ansökan inskickad" in admin.get("/admin/").get_data(as_text=True)  # the latest events, in words


def test_the_audit_trail_speaks_english_to_an_english_reader(app, client, actors, admin):
    Api(client, actors).as_("applicant").submit()
    admin.client.post("/lang/en", data={"csrf_token": csrf(admin.get("/admin/").get_data(as_text=True))})
    page = admin.get("/admin/audit?actor=anna").get_data(as_text=True)
    assert 'data-action="case.submitted">Application submitted<br>' in page and "What happened" in page


def test_a_search_date_that_is_no_date_is_named_in_swedish(admin):
    page = admin.get("/admin/audit?from=igår").get_data(as_text=True)
    assert "”Från” måste vara ett datum" in page and "ISO 8601" not in page
