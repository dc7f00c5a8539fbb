"""Camunda's invoice example run through the app end to end, as its people and its integration would run it.

A process owner deploys the example (its two JavaScript task listeners taken out, nothing else changed) through
``POST /api/process-models``; an administrator creates its groups and puts people in them through the API; the team
assistant starts invoices through ``POST /api/cases``; approvers, reviewers and accountants work their tasks through
the task API; a small archive worker, written against the documented external-task API and talking HTTP to a live
server, archives the paid invoices (and reports a failure while the archive is down).
"""
from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from app.clock import clock
from app.services import users as user_service
from tests.test_case_words import card
from tests.test_invoice import ARCHIVE_TOPIC, upstream_files, without_javascript_listeners
from tests.test_web import Browser

GROUPS = {"accounting": ("Ekonomi", "Accounting"), "sales": ("Försäljning", "Sales"),
          "management": ("Ledning", "Management")}
#: Camunda's invoice demo people: the team assistant, a sales clerk, the accountant, the manager.
PEOPLE = {"demo": "sales", "john": "sales", "mary": "accounting", "peter": "management"}
INVOICE = {"creditor": "Great Pizza for Everyone Inc.", "invoiceCategory": "Misc", "invoiceNumber": "I-12345"}


class ArchiveDown(Exception):
    pass


class Archive:
    """The municipality's archive as the worker reaches it: filed invoices, and whether it answers."""

    def __init__(self):
        self.filed: dict[str, dict] = {}
        self.down = False

    def file(self, invoice: dict) -> str:
        if self.down:
            raise ArchiveDown("the archive answered 503 Service Unavailable")
        reference = f"ARK-{len(self.filed) + 1:04d}"
        self.filed[reference] = invoice
        return reference


class ArchiveWorker:
    """An integration worker as a municipality would write it, in any language: plain HTTP and JSON against
    /api/external-tasks — fetch and lock, do the work, complete with variables, or report the failure."""

    def __init__(self, base_url: str, token: str, archive: Archive, worker_id: str = "archiver-1"):
        self.base_url, self.token, self.archive, self.worker_id = base_url, token, archive, worker_id

    def post(self, path: str, body: dict) -> tuple[int, object]:
        request = urllib.request.Request(f"{self.base_url}/api/external-tasks/{path}", method="POST",
                                         data=json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def run_until_idle(self) -> list[str]:
        """Work until nothing is offered; the ids of the tasks handled."""
        handled = []
        while True:
            status, tasks = self.post("fetch-and-lock", {"workerId": self.worker_id, "maxTasks": 2, "topics": [
                {"topicName": ARCHIVE_TOPIC, "lockDuration": 30_000,
                 "variables": ["creditor", "amount", "invoiceNumber"]}]})
            assert status == 200, tasks
            if not tasks:
                return handled
            for task in tasks:
                self.handle(task)
                handled.append(task["id"])

    def handle(self, task: dict) -> None:
        invoice = {name: v["value"] for name, v in task["variables"].items()}
        try:
            reference = self.archive.file(invoice)
        except ArchiveDown as exc:
            retries = (task["retries"] or 3) - 1
            status, body = self.post(f"{task['id']}/failure", {
                "workerId": self.worker_id, "errorMessage": str(exc), "retries": retries, "retryTimeout": 60_000})
        else:
            status, body = self.post(f"{task['id']}/complete", {
                "workerId": self.worker_id, "variables": {"archiveReference": {"value": reference,
                                                                               "type": "String"}}})
        assert status == 204, body


class Person:
    """One person at work through the task API."""

    def __init__(self, client, username: str, token: str):
        self.client, self.username = client, username
        self.headers = {"Authorization": f"Bearer {token}"}

    def inbox(self) -> list[tuple[str, str]]:
        r = self.client.get("/api/tasks", headers=self.headers)
        assert r.status_code == 200, r.get_json()
        return [(t["reference"], t["name"]) for t in r.get_json()]

    def task(self, case: dict, name: str) -> dict:
        r = self.client.get("/api/tasks", headers=self.headers, query_string={"name": name})
        [listed] = [t for t in r.get_json() if t["case_id"] == case["id"]]
        return self.client.get(f"/api/tasks/{listed['id']}", headers=self.headers).get_json()

    def complete(self, case: dict, name: str, answers: dict) -> dict:
        """Open the task and send its form as a browser does: what it shows filled in, with this person's answers."""
        task = self.task(case, name)
        shown = {field: prop["default"] for field, prop in task["form"]["schema"]["properties"].items()
                 if "default" in prop and not prop.get("readOnly")}
        r = self.client.post(f"/api/tasks/{task['id']}/complete", headers=self.headers,
                             json={"data": shown | answers})
        assert r.status_code == 200, r.get_json()
        return task

    def start_invoice(self, **invoice) -> dict:
        r = self.client.post("/api/cases", headers=self.headers, json={"process": "invoice", "data": invoice})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def case(self, case: dict) -> dict:
        r = self.client.get(f"/api/cases/{case['id']}", headers=self.headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()


def deploy(client, headers) -> dict:
    files = without_javascript_listeners(upstream_files())
    r = client.post("/api/process-models", headers=headers, content_type="multipart/form-data",
                    data={"files": [(io.BytesIO(text.encode()), name) for name, text in files.items()],
                          "message": "Camunda's invoice example"})
    return r


@pytest.fixture
def invoice_office(client, actors, rt, live_server):
    """The example deployed, its groups and people set up as data, and an archive worker with its own token."""
    admin = actors.headers("admin")
    refused = deploy(client, actors.headers("process_owner"))
    assert refused.status_code == 422
    assert any("create the group 'accounting'" in e["message"] for e in refused.get_json()["errors"])
    for name, (title_sv, title_en) in GROUPS.items():
        r = client.post("/api/admin/groups", headers=admin, json={"name": name, "title_sv": title_sv,
                                                                  "title_en": title_en})
        assert r.status_code == 201, r.get_json()
    people = {}
    with rt.db.unit_of_work() as session:  # as `lotsen users add NAME --group G` does
        for username, group in PEOPLE.items():
            user = user_service.create_user(session, username=username, roles=[], groups=[group],
                                            password="invoice-demo", display_name=username.title())
            people[username] = user_service.issue_token(session, user)
    r = client.post("/api/admin/groups/management/members", headers=admin, json={"username": "demo"})
    assert r.status_code in (200, 201), r.get_json()
    deployed = deploy(client, actors.headers("process_owner"))
    assert deployed.status_code == 201, deployed.get_json()
    r = client.post("/api/admin/workers", headers=admin, json={"name": "archive", "topics": [ARCHIVE_TOPIC]})
    assert r.status_code == 201, r.get_json()
    archive = Archive()
    return ({name: Person(client, name, token) for name, token in people.items()},
            ArchiveWorker(live_server, r.get_json()["token"], archive), archive)


def steps(case: dict) -> list[str]:
    return [step["element"] for step in case["path"]]


def test_an_approved_invoice_is_paid_archived_by_the_worker_and_closed(invoice_office):
    people, worker, archive = invoice_office
    demo, john, mary, peter = (people[n] for n in ("demo", "john", "mary", "peter"))
    case = demo.start_invoice(**INVOICE, amount=30.0)
    assert case["reference"].startswith("INVOICE ")  # the process id, as no reference prefix is given
    assert (case["reference"], "approveInvoice") in john.inbox()  # a day-to-day expense: accounting or sales
    assert (case["reference"], "approveInvoice") in mary.inbox()
    assert peter.inbox() == []  # management never sees it
    john.complete(case, "approveInvoice", {"approved": True})
    assert john.inbox() == [] and mary.inbox() == [(case["reference"], "prepareBankTransfer")]
    assert worker.run_until_idle() == []  # nothing to archive before the transfer is prepared
    mary.complete(case, "prepareBankTransfer", {})
    [archived] = worker.run_until_idle()
    assert list(archive.filed.values()) == [{"creditor": "Great Pizza for Everyone Inc.", "amount": 30.0,
                                             "invoiceNumber": "I-12345"}]
    seen = demo.case(case)
    assert seen["completed_at"] is not None and seen["open_tasks"] == []
    assert steps(seen) == ["StartEvent_1", "assignApprover", "approveInvoice", "invoice_approved",
                           "prepareBankTransfer", "ServiceTask_1", "invoiceProcessed"]
    assert seen["path"][-1]["name"] == "Invoice\nprocessed"
    engine = [(e["action"], e["element"]) for e in seen["history"] if e["actor"] == "engine"]
    assert engine[:3] == [("engine.task_completed", "StartEvent_1"), ("engine.task_completed", "assignApprover"),
                          ("engine.task_ready", "approveInvoice")]  # in the order it happened
    done = [(e["action"], e["actor"], e["element"]) for e in seen["history"] if e["action"].endswith("completed")]
    assert ("task.completed", "john", "approveInvoice") in done
    assert ("task.completed", "mary", "prepareBankTransfer") in done
    assert ("external_task.completed", "worker:archive", "ServiceTask_1") in done
    assert worker.run_until_idle() == []


def test_a_rejected_invoice_is_reviewed_clarified_approved_and_archived_after_an_outage(app, invoice_office):
    people, worker, archive = invoice_office
    demo, john, mary, peter = (people[n] for n in ("demo", "john", "mary", "peter"))
    case = demo.start_invoice(**INVOICE, amount=300.0)
    assert (case["reference"], "approveInvoice") in peter.inbox()  # a budget item: management decides
    assert john.inbox() == [] and mary.inbox() == []
    peter.complete(case, "approveInvoice", {"approved": False})
    assert demo.inbox() == [(case["reference"], "assignReviewer")]  # the review process names demo
    demo.complete(case, "assignReviewer", {"reviewer": "john"})
    assert john.inbox() == [(case["reference"], "reviewInvoice")] and mary.inbox() == []
    review = john.complete(case, "reviewInvoice", {"clarified": True, "invoiceNumber": "I-12345-B"})
    assert review["due_at"] is not None  # camunda:dueDate: two days
    assert peter.inbox() == [(case["reference"], "approveInvoice")]  # back to the approver
    again = peter.task(case, "approveInvoice")
    assert again["form"]["schema"]["properties"]["invoiceNumber"]["default"] == "I-12345"  # only clarified came out
    peter.complete(case, "approveInvoice", {"approved": True})
    mary.complete(case, "prepareBankTransfer", {})

    archive.down = True
    [failed] = worker.run_until_idle()
    assert archive.filed == {} and worker.run_until_idle() == []  # offered again only after the retry timeout
    assert demo.case(case)["completed_at"] is None
    staff = Browser(app)
    staff.login("demo", "invoice-demo")
    now = card(staff.get(f"/cases/{case['id']}").get_data(as_text=True).replace("</ul>", "</ol>"), "Just nu")
    assert "Väntar på en integration: Archive Invoice — senaste försöket misslyckades" in now
    archive.down = False
    clock.advance(timedelta(seconds=61))
    assert worker.run_until_idle() == [failed]
    seen = demo.case(case)
    assert seen["completed_at"] is not None
    assert steps(seen) == ["StartEvent_1", "assignApprover", "approveInvoice", "invoice_approved",
                           "StartEvent_1", "assignReviewer", "reviewInvoice", "EndEvent_1og1zom", "reviewInvoice",
                           "reviewSuccessful_gw", "approveInvoice", "invoice_approved", "prepareBankTransfer",
                           "ServiceTask_1", "invoiceProcessed"]
    people_at_work = [(e["actor"], e["element"]) for e in seen["history"] if e["action"] == "task.completed"]
    assert people_at_work == [("peter", "approveInvoice"), ("demo", "assignReviewer"), ("john", "reviewInvoice"),
                              ("peter", "approveInvoice"), ("mary", "prepareBankTransfer")]
    archive_steps = [e["action"] for e in seen["history"] if e["element"] == "ServiceTask_1"]
    assert archive_steps[-2:] == ["external_task.completed", "engine.external_task_completed"]
    assert "external_task.failed" in archive_steps


def test_a_rejected_invoice_that_cannot_be_clarified_ends_unprocessed_and_is_never_archived(invoice_office):
    people, worker, archive = invoice_office
    case = people["demo"].start_invoice(**INVOICE, amount=5000.0)
    people["peter"].complete(case, "approveInvoice", {"approved": False})
    people["demo"].complete(case, "assignReviewer", {"reviewer": "john"})
    people["john"].complete(case, "reviewInvoice", {"clarified": False})
    seen = people["demo"].case(case)
    assert seen["completed_at"] is not None and steps(seen)[-1] == "invoiceNotProcessed"
    assert worker.run_until_idle() == [] and archive.filed == {}


def test_the_review_process_is_only_called_by_the_invoice_never_started_by_hand(client, invoice_office):
    """reviewInvoice.bpmn says camunda:isStartableInTasklist="false": nobody is offered it, and a start is refused."""
    people, _worker, _archive = invoice_office
    demo = people["demo"]
    offered = client.get("/api/processes", headers=demo.headers).get_json()
    assert [p["process"] for p in offered if p["title_en"] in ("Invoice Receipt", "Review Invoice")] == ["invoice"]
    r = client.post("/api/cases", headers=demo.headers, json={"process": "ReviewInvoice"})
    assert r.status_code == 403 and r.get_json()["message"] == "you may not start a case of 'Review Invoice'"


def test_a_swedish_reader_sees_the_steps_by_the_only_names_the_diagram_gives_them(app, invoice_office):
    """The example names its steps in English only: the Swedish case page shows those names rather than none."""
    people, worker, _archive = invoice_office
    case = people["demo"].start_invoice(**INVOICE, amount=30.0)
    people["john"].complete(case, "approveInvoice", {"approved": True})
    people["mary"].complete(case, "prepareBankTransfer", {})
    worker.run_until_idle()
    demo = Browser(app)
    demo.login("demo", "invoice-demo")
    page = demo.get(f"/cases/{case['id']}").get_data(as_text=True)
    path = card(page, "Ärendets gång hittills")
    assert [step in path for step in ("Invoice received", "Assign Approver Group", "Approve Invoice",
                                      "Prepare Bank Transfer", "Archive Invoice", "Invoice processed")] == [True] * 6
    assert "Ledtid för sökanden" in page  # an invoice follows no statutory rule set: only the lead time runs
    assert "Lagstadgad tidsfrist" not in page and "Servicemål" not in page
    history = card(page, "Ärendehistorik")
    assert "Uppgift redo · Approve Invoice" in history and "Uppgift slutförd · Prepare Bank Transfer" in history
    assert "Steg slutfört · Invoice processed" in history


def test_the_approver_sees_by_when_the_invoice_is_to_be_approved(app, invoice_office):
    """camunda:dueDate="${dateTime().plusWeeks(1).toDate()}" gives the task its own date, shown where it is worked."""
    people, _worker, _archive = invoice_office
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    case = people["demo"].start_invoice(**INVOICE, amount=300.0)
    task = people["peter"].task(case, "approveInvoice")
    assert task["due_at"].startswith("2026-05-11T09:00")
    peter = Browser(app)
    peter.login("peter", "invoice-demo")
    inbox = peter.get("/inbox").get_data(as_text=True)
    assert "Uppgiften senast 2026-05-11" in inbox
    page = peter.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "Ledning · skapad 2026-05-04 11:00" in page and "Uppgiften senast 2026-05-11" in page


def test_the_team_assistant_starts_an_invoice_from_its_own_form_with_its_choices_preselected(app, invoice_office):
    demo = Browser(app)
    demo.login("demo", "invoice-demo")
    offered = demo.get("/cases/new").get_data(as_text=True)
    assert "Invoice Receipt" in offered and "Review Invoice" not in offered  # the review is only ever called
    form = demo.get("/cases/new/invoice").get_data(as_text=True)
    assert re.search(r'<option value="Travel Expenses"\s+selected>', form)  # as the HTML form's select shows it
    r = demo.post_form("/cases/new/invoice", "/cases/new/invoice", {
        "creditor": "Great Pizza for Everyone Inc.", "amount": "30.00", "invoiceCategory": "Travel Expenses",
        "invoiceNumber": "I-12346"})
    assert r.status_code == 302
    case = demo.get(r.headers["Location"]).get_data(as_text=True)
    assert "Approve Invoice" in case and "Great Pizza for Everyone Inc." in case
