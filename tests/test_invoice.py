"""Camunda's own invoice example (unmodified upstream files): BPMN, a DMN requirement graph, a review call activity
and embedded HTML forms. It deploys with only its two JavaScript task listeners removed, and runs to the end."""
from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from lxml import etree

from app.engine.runtime import ProcessEngine
from app.engine.specs import BundleInvalid, parse_bundle
from app.engine.store import SpecCache, specs_to_json
from app.services.processes import RULES, read_directory
from handlers import REGISTRY
from tests.bundles import FIXTURES

CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
ARCHIVE_TOPIC = "org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"
INVOICE_GROUPS = ("accounting", "sales", "management")
_versions = itertools.count(80_000)


def upstream_files() -> dict[str, str]:
    """The example as Camunda ships it (tests/fixtures/camunda-invoice, copied unmodified)."""
    return read_directory(FIXTURES / "camunda-invoice")


def without_javascript_listeners(files: dict[str, str]) -> dict[str, str]:
    """The one change the example needs: its two task listeners (JavaScript) taken out."""
    root = etree.fromstring(files["invoice.v2.bpmn"].encode())
    listeners = list(root.iter(f"{CAMUNDA}taskListener"))
    assert [listener.find(f"{CAMUNDA}script").get("scriptFormat") for listener in listeners] == ["javascript"] * 2
    for listener in listeners:
        listener.getparent().remove(listener)
    return files | {"invoice.v2.bpmn": etree.tostring(root, encoding="unicode")}


RULES_WITH_GROUPS = replace(RULES, groups=RULES.groups | set(INVOICE_GROUPS))


def test_the_unmodified_example_is_refused_only_for_its_two_javascript_listeners():
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(upstream_files(), RULES_WITH_GROUPS)
    assert sorted((p.file, p.element, p.message) for p in err.value.problems) == [
        ("invoice.v2.bpmn", "approveInvoice", f"camunda:taskListener (event {event!r}, a javascript script) is not "
                                              "supported; do the work in a script task or a service task")
        for event in ("assignment", "create")]


def test_without_its_listeners_it_deploys_noting_what_runs_differently():
    bundle = parse_bundle(without_javascript_listeners(upstream_files()), RULES_WITH_GROUPS)
    assert sorted(bundle.specs) == ["ReviewInvoice", "invoice"]
    notes = sorted((w.element, w.message.split(":")[0]) for w in bundle.warnings)
    assert notes == [("DataStoreReference_1", "the data store 'Financial Accounting System' is informational"),
                     ("FinancialAccountingSystem", "the data store 'Financial Accounting System' is informational"),
                     ("ServiceTask_1", "camunda"),
                     ("ServiceTask_1", f"the Java class {ARCHIVE_TOPIC} runs outside Lotsen"),
                     ("StartEvent_1", "forms/start-form.html"), ("StartEvent_1", "forms/start-form.html")]
    assert sorted(n for n in bundle.generated) == [f"forms/{name}.html.json" for name in (
        "approve-invoice", "assign-reviewer", "prepare-bank-transfer", "review-invoice", "start-form")]


class Invoice:
    """The example run in the engine alone: what each step offers, and completing it."""

    def __init__(self, engine: ProcessEngine, version: int, data: dict):
        self.engine = engine
        self.wf = engine.new(version, data, context_for=lambda task: None)
        engine.run(self.wf, [])

    def ready(self):
        self.wf = self.engine.load(self.engine.dump(self.wf), context_for=lambda task: None)  # as a request would
        snapshot = self.engine.snapshot(self.wf, [])
        return snapshot

    def complete(self, element: str, data: dict) -> None:
        [task] = [t for t in self.ready().ready if t.element_id == element]
        self.engine.complete_task(self.wf, task.id, data, [])


@pytest.fixture(scope="module")
def invoice():
    engine = ProcessEngine(REGISTRY, SpecCache())
    version = next(_versions)
    bundle = parse_bundle(without_javascript_listeners(upstream_files()), RULES_WITH_GROUPS)
    spec, subprocesses = bundle.specs["invoice"]
    engine.specs.put(version, specs_to_json(spec, subprocesses))
    yield lambda **data: Invoice(engine, version, data)
    engine.scripts.close()


START = {"creditor": "Great Pizza for Everyone Inc.", "invoiceCategory": "Misc", "invoiceNumber": "I-12345"}


def test_in_the_engine_an_approved_invoice_is_paid_and_archived_by_a_worker(invoice):
    case = invoice(**START, amount=30.0)
    [approve] = case.ready().ready
    assert (approve.element_id, approve.groups) == ("approveInvoice", ["accounting", "sales"])  # from the DMN graph
    case.complete("approveInvoice", {"approved": True})
    [transfer] = case.ready().ready
    assert (transfer.element_id, transfer.groups) == ("prepareBankTransfer", ["accounting"])
    case.complete("prepareBankTransfer", {})
    [archive] = case.ready().external
    assert archive.topic == ARCHIVE_TOPIC and archive.data["invoiceNumber"] == "I-12345"
    case.engine.complete_external(case.wf, archive.id, {"archived": True}, [])
    assert case.wf.is_completed() and [p["element"] for p in case.engine.path(case.wf)][-1] == "invoiceProcessed"


def test_in_the_engine_a_rejected_invoice_is_reviewed_clarified_and_approved(invoice):
    case = invoice(**START, amount=300.0)
    [approve] = case.ready().ready
    assert approve.groups == ["management"]
    case.complete("approveInvoice", {"approved": False})
    [assign] = case.ready().ready
    assert (assign.element_id, assign.assignee, assign.groups) == ("assignReviewer", "demo", [])
    case.complete("assignReviewer", {"reviewer": "john"})
    [review] = case.ready().ready
    assert (review.element_id, review.assignee) == ("reviewInvoice", "john")
    assert set(review.data) == {"invoiceDocument", "creditor", "amount", "invoiceCategory", "invoiceNumber",
                                "reviewer"}  # the call activity passes only its camunda:in variables
    case.complete("reviewInvoice", {"clarified": True, "amount": 3.0})
    [again] = case.ready().ready
    assert again.element_id == "approveInvoice" and again.data["amount"] == 300.0  # only clarified comes back
    case.complete("approveInvoice", {"approved": True})
    case.complete("prepareBankTransfer", {})
    [archive] = case.ready().external
    case.engine.complete_external(case.wf, archive.id, {}, [])
    assert case.wf.is_completed()


def test_in_the_engine_a_rejected_invoice_that_cannot_be_clarified_is_not_processed(invoice):
    case = invoice(**START, amount=5000.0)
    case.complete("approveInvoice", {"approved": False})
    case.complete("assignReviewer", {"reviewer": "john"})
    case.complete("reviewInvoice", {"clarified": False})
    assert case.wf.is_completed()
    assert [p["element"] for p in case.engine.path(case.wf)][-1] == "invoiceNotProcessed"
