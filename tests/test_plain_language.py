"""Plain language everywhere: every page of a case walked to each outcome, in Swedish and English.

A reader never sees an internal code (``supplement_received``, ``engine.task_ready``), a snake_case
identifier, an untranslated catalogue entry, or an English fragment on a Swedish page. The pages are
the applicant's (portal list and case) and staff's (inbox, case, every task met on the way).
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.plain_text import problems
from tests.scenario import move, on, plus, serve_applicant
from tests.test_law_walk import ARRIVED, arrive_and_remedy, committee_refuses, refer_and_hear
from tests.test_web import Browser

DAY0 = date(2026, 6, 1)
STAFF = ("coordinator", "officer", "referee", "committee")
USERS = {"applicant": "anna", "coordinator": "carl", "officer": "olga", "referee": "rita", "committee": "karin"}
#: Names, places and texts of the test data that are not the UI's words.
DATA_WORDS = ("Anna Andersson", "Umeå Tallen 4:12")


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


class Reader:
    """Logs in as each role once and collects what every page says, in both languages."""

    def __init__(self, app):
        self.app, self.browsers, self.found = app, {}, {}

    def browser(self, role: str) -> Browser:
        if role not in self.browsers:
            self.browsers[role] = Browser(self.app)
            self.browsers[role].login(USERS[role])
        return self.browsers[role]

    def read(self, role: str, path: str) -> None:
        for lang in ("sv", "en"):
            r = self.browser(role).client.get(path, headers={"Accept-Language": lang})
            assert r.status_code == 200, (role, path, r.status_code)
            for problem in problems(r.get_data(as_text=True), swedish=lang == "sv", allowed=DATA_WORDS):
                self.found.setdefault(problem, f"{role} {lang} {path}")

    def case_pages(self, case_id: int) -> None:
        self.read("applicant", "/portal/")
        self.read("applicant", f"/portal/cases/{case_id}")
        self.read("coordinator", f"/cases/{case_id}")
        self.read("coordinator", "/inbox")


def open_task(api, case_id: int) -> tuple[str, dict] | None:
    for role in STAFF:
        for task in api.as_(role).tasks(case_id=case_id):
            return role, task
    return None


def walk(api, reader: Reader, case_id: int, answers: dict[str, dict], limit: int = 12) -> None:
    """Complete each task the case offers with ``answers[task name]``, reading every page on the way."""
    reader.case_pages(case_id)
    for _ in range(limit):
        found = open_task(api, case_id)
        if found is None:
            return
        role, task = found
        reader.read(role, f"/tasks/{task['id']}")
        r = api.as_(role).post(f"/api/tasks/{task['id']}/complete", {"data": answers[task["name"]]})
        assert r.status_code == 200, (task["name"], r.get_json())
        reader.case_pages(case_id)


def read_open_tasks(api, reader: Reader, case_id: int) -> None:
    for role in STAFF:
        for task in api.as_(role).tasks(case_id=case_id):
            reader.read(role, f"/tasks/{task['id']}")
    reader.case_pages(case_id)


def close(api, reader: Reader, case_id: int) -> None:
    serve_applicant(api, case_id)
    move(api, advance="P40D")
    reader.case_pages(case_id)


def test_no_page_of_any_outcome_shows_codes_or_english_in_swedish(api, app):
    reader = Reader(app)
    # refused by the committee: an order, the remedy, referrals, a hearing, kommunicering (issue 8's walk)
    refused = arrive_and_remedy(api)
    read_open_tasks(api, reader, refused)
    on(api, plus(ARRIVED, 25))
    refer_and_hear(api, refused)
    read_open_tasks(api, reader, refused)
    committee_refuses(api, refused)
    read_open_tasks(api, reader, refused)
    close(api, reader, refused)

    decided = {"outcome": "granted", "decision_text": "Bygglov beviljas."}
    on(api, DAY0)
    simple = api.as_("applicant").submit(measure="plank")["id"]
    walk(api, reader, simple, {"triage": TRIAGE_COMPLETE | {"track": "simple"}, "coordinator_decision": decided})
    close(api, reader, simple)

    on(api, plus(DAY0, 1))
    standard = api.as_("applicant").submit(measure="nybyggnad")["id"]
    walk(api, reader, standard, {
        "triage": TRIAGE_COMPLETE | {"track": "standard", "referrals": ["miljo"]},
        "review": {"assessment": "Förenligt med planen.", "referrals": ["miljo"], "neighbours_required": False},
        "answer_referral": {"statement": "Inget att erinra.", "objection": False},
        "draft_decision": decided})

    on(api, plus(DAY0, 2))
    supplement = api.as_("applicant").submit(measure="plank")["id"]
    walk(api, reader, supplement, {"triage": TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.",
        "reply_by": plus(DAY0, 20).isoformat()}})
    move(api, advance="P25D")
    walk(api, reader, supplement, {"supplement_overdue": {"action": "dismiss"}})

    on(api, plus(DAY0, 30))
    withdrawn = api.as_("applicant").submit(measure="mur")["id"]
    api.as_("applicant").post(f"/api/cases/{withdrawn}/withdraw", {"reason": "Ändrade planer."})
    reader.case_pages(withdrawn)

    assert reader.found == {}, "\n".join(f"{where}: {problem}" for problem, where in sorted(reader.found.items()))


def test_the_reader_finds_codes_untranslated_entries_and_english_on_a_swedish_page():
    page = ("<html><body><h1>Ärende</h1><p>Status: supplement_received</p><p>engine.task_ready</p>"
            "<p>Triage application</p><p title='Your application'>Ansökan</p><script>var snake_case = 1;</script>"
            "<code>case.status</code><p>Nothing yet.</p><p>anna.andersson@example.se ritning_1.pdf</p></body></html>")
    found = problems(page, swedish=True)
    assert any("supplement_received" in p for p in found)
    assert any("engine.task_ready" in p for p in found)
    assert any("'Triage'" in p for p in found) and any("'Your'" in p for p in found)
    assert "untranslated 'Nothing yet.'" in found
    assert not any("snake_case" in p or "case.status" in p or "ritning_1" in p or "andersson" in p for p in found)
    english_page = problems(page, swedish=False)  # English is fine there; codes are not
    assert not any(p.startswith(("English", "untranslated")) for p in english_page)
    assert any("supplement_received" in p for p in english_page)
