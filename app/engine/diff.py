"""What changed between two versions of a process model, and moving a case across.

``diff_bundles`` compares two bundles ({file name: text}) element by element
(by BPMN id: type, name, attributes and what the element holds; diagram layout
is ignored) and file by file. ``migrate`` moves a running workflow onto a
newer spec with SpiffWorkflow's own alignment (``SpecDiff``/``WorkflowDiff``/
``migrate_workflow``), refusing with a plain reason when that is not safe.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from .specs import BPMN_NS
from .words import N_, Reason, Words, label

#: Elements listed on their own; their children with ids are listed separately.
_CONTAINERS = {"definitions", "process", "subProcess", "transaction", "adHocSubProcess", "collaboration",
               "laneSet", "lane", "childLaneSet"}
#: Kept apart from their container's own content (they are elements of their own).
_SKIP_IN_CONTENT = {"laneSet", "childLaneSet"}


def _hardened() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _is_element(el: etree._Element) -> bool:
    """A BPMN element with an id of its own (the unit of the diff)."""
    return isinstance(el.tag, str) and etree.QName(el).namespace == BPMN_NS and bool(el.get("id"))


def _canonical(el: etree._Element) -> str:
    """An element's content without ids of nested BPMN parts (event definitions get random ids)."""
    attrs = {k: v for k, v in el.attrib.items() if not (k == "id" and etree.QName(el).namespace == BPMN_NS)}
    children = [_canonical(c) for c in el if isinstance(c.tag, str)]
    return json.dumps([etree.QName(el).text, sorted(attrs.items()), (el.text or "").strip(), children])


def _signature(el: etree._Element) -> dict:
    """What the diff compares: type, name, attributes and the content by child kind."""
    content: dict[str, list[str]] = {}
    nested = _local(el) in _CONTAINERS
    for child in el:
        if not isinstance(child.tag, str) or _local(child) in _SKIP_IN_CONTENT:
            continue
        if nested and _is_element(child):
            continue  # listed as an element of its own
        content.setdefault(_local(child), []).append(_canonical(child))
    attrs = {k: v for k, v in el.attrib.items() if k not in ("id", "name")}
    return {"type": _local(el), "name": el.get("name"), "attributes": attrs,
            "content": {k: sorted(v) for k, v in content.items()}}


def bpmn_elements(text: str) -> dict[str, dict]:
    """{element id: signature} of every BPMN element in a document (layout excluded)."""
    try:
        root = etree.fromstring(text.encode(), _hardened())
    except etree.XMLSyntaxError:
        return {}
    found: dict[str, dict] = {}

    def walk(el: etree._Element) -> None:
        for child in el:
            if not _is_element(child):
                continue
            found.setdefault(child.get("id"), _signature(child))
            if _local(child) in _CONTAINERS:
                walk(child)

    walk(root)
    return found


def _what_changed(old: dict, new: dict) -> list[str]:
    changes = []
    if old["type"] != new["type"]:
        changes.append(f"type ({old['type']} → {new['type']})")
    if old["name"] != new["name"]:
        changes.append("name")
    for key in sorted(set(old["attributes"]) | set(new["attributes"])):
        if old["attributes"].get(key) != new["attributes"].get(key):
            changes.append(etree.QName(key).localname)
    for key in sorted(set(old["content"]) | set(new["content"])):
        if old["content"].get(key) != new["content"].get(key):
            changes.append(key)
    return changes


def diff_bundles(old: Mapping[str, str], new: Mapping[str, str]) -> dict:
    """Elements added, removed and changed (by id) and files changed between two bundles."""
    before, after = _elements_by_id(old), _elements_by_id(new)

    def entry(ident: str, sig: dict) -> dict:
        return {"id": ident, "type": sig["type"], "name": sig["name"], "file": sig["file"]}

    changed = []
    for ident in sorted(set(before) & set(after)):
        what = _what_changed(before[ident], after[ident])
        if what:
            changed.append(entry(ident, after[ident]) | {"changes": what})
    return {
        "added": [entry(i, after[i]) for i in sorted(set(after) - set(before))],
        "removed": [entry(i, before[i]) for i in sorted(set(before) - set(after))],
        "changed": changed,
        "files_changed": _files_changed(old, new),
    }


def _elements_by_id(files: Mapping[str, str]) -> dict[str, dict]:
    """Every element of the bundle's diagrams by id, with the file it is in (the first file wins)."""
    elements: dict[str, dict] = {}
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        for ident, sig in bpmn_elements(files[name]).items():
            elements.setdefault(ident, sig | {"file": name})
    return elements


def _files_changed(old: Mapping[str, str], new: Mapping[str, str]) -> list[dict]:
    files_changed = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            files_changed.append({"file": name, "change": "added"})
        elif name not in new:
            files_changed.append({"file": name, "change": "removed"})
        elif old[name] != new[name]:
            files_changed.append({"file": name, "change": "changed"})
    return files_changed


# --------------------------------------------------------------------- migration


class MigrationBlocked(Exception):
    """The case cannot move to the new version; ``why`` says why (translatable), ``reason`` in English."""

    def __init__(self, template: str, **values):
        self.why = Reason(template, values)
        self.reason = self.why.text()
        super().__init__(self.reason)


ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: Changes that do not matter to a task the case is at: only what follows it moved.
_HARMLESS = {"outputs"}


def _label(task) -> Words:
    spec = task.task_spec
    if isinstance(spec, LoopTask):  # the name is on the instances' spec
        spec = task.workflow.spec.task_specs.get(spec.task_spec, spec)
    return label(spec)


def _is_bpmn(task) -> bool:
    return bool(getattr(task.task_spec, "bpmn_id", None))


def _removed(task, where: Words, target: str) -> None:
    if task.has_state(ACTIVE):
        template = (N_("its open task %(task)s%(where)s does not exist in %(target)s") if task.task_spec.manual
                    else N_("its current step %(task)s%(where)s does not exist in %(target)s"))
        raise MigrationBlocked(template, task=_label(task), where=where, target=target)
    if task.has_state(TaskState.FINISHED_MASK):
        raise MigrationBlocked(N_("it has already passed %(task)s%(where)s, which %(target)s no longer has"),
                               task=_label(task), where=where, target=target)


def _changed(task, changes: set[str], where: Words, target: str) -> None:
    if task.task_spec.manual or not isinstance(task.task_spec, SubWorkflowTask):
        template = (N_("its open task %(task)s%(where)s changed in %(target)s (%(changes)s)") if task.task_spec.manual
                    else N_("its step %(task)s%(where)s changed in %(target)s (%(changes)s)"))
        raise MigrationBlocked(template, task=_label(task), where=where, target=target,
                               changes=", ".join(sorted(changes)))
    raise MigrationBlocked(N_("it is inside %(task)s, which changed in %(target)s"), task=_label(task), target=target)


def _check(workflow, workflow_diff, spec_diff_changed: dict, target: str, inside: Words | None = None) -> None:
    where = Words(f" inside {inside.en}", f" i {inside.sv or inside.en}") if inside else Words("", "")
    removed = set(workflow_diff.removed)
    for task in workflow.get_tasks(skip_subprocesses=True):
        if task in removed and _is_bpmn(task):
            _removed(task, where, target)
        if not task.has_state(ACTIVE):
            continue
        if isinstance(task.task_spec, LoopTask) and task.has_state(TaskState.STARTED):
            raise MigrationBlocked(N_("it is inside %(task)s%(where)s, a multi-instance task; migrate it once every "
                                      "instance is done"), task=_label(task), where=where)
        changes = set(spec_diff_changed.get(task.task_spec, ())) - _HARMLESS
        if not isinstance(task.task_spec, Join):
            changes.discard("inputs")  # only a join waits on its inputs
        if changes and _is_bpmn(task):
            _changed(task, changes, where, target)


def migrate_checked(engine, workflow: BpmnWorkflow, version_id: int, spec, subprocesses: Mapping,
                    target: str) -> None:
    """Move ``workflow`` onto ``spec`` with ``engine``'s serializer; the moved state must load again."""
    migrate(workflow, engine.serializer.registry, version_id, spec, subprocesses, target)
    engine.serializer.deserialize_json(engine.dump(workflow))


def migrate(workflow: BpmnWorkflow, registry, version_id: int, spec, subprocesses: Mapping,
            target: str) -> None:
    """Move ``workflow`` onto ``spec`` in place, or raise ``MigrationBlocked`` (then discard it).

    ``registry`` is the serializer's (SpecDiff compares serialized task specs);
    ``target`` names the new version in reasons, e.g. "version 3".
    """
    top = SpecDiff(registry, workflow.spec, spec)
    top_diff = WorkflowDiff(workflow, top)
    _check(workflow, top_diff, top.changed, target)
    sub_diffs = {}
    for sp_id, sub in workflow.subprocesses.items():
        parent = workflow.get_task_from_id(sp_id)
        name = _label(parent) if parent is not None else Words(repr(sub.spec.name))
        new_sub_spec = subprocesses.get(sub.spec.name)
        if new_sub_spec is None:
            if not sub.is_completed():
                raise MigrationBlocked(N_("it is inside %(task)s, which %(target)s no longer has"), task=name,
                                       target=target)
            raise MigrationBlocked(N_("it has already passed %(task)s%(where)s, which %(target)s no longer has"),
                                   task=name, where=Words("", ""), target=target)
        sub_spec_diff = SpecDiff(registry, sub.spec, new_sub_spec)
        sub_diffs[sp_id] = (WorkflowDiff(sub, sub_spec_diff), new_sub_spec)
        _check(sub, sub_diffs[sp_id][0], sub_spec_diff.changed, target, name)
    # migrate_workflow re-arms waiting events; a timer keeps the due time it had (a relative
    # duration would otherwise start again from now)
    armed = {t.id: t.internal_data["event_value"] for t in workflow.get_tasks(state=TaskState.WAITING)
             if "event_value" in t.internal_data}
    migrate_workflow(top_diff, workflow, spec)
    for sp_id, (sub_diff, new_sub_spec) in sub_diffs.items():
        migrate_workflow(sub_diff, workflow.subprocesses[sp_id], new_sub_spec)
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if task.id in armed:
            task.internal_data["event_value"] = armed[task.id]
    workflow.subprocess_specs = dict(subprocesses)
    workflow.version_id = version_id
    _verify(workflow, target)


def _verify(workflow: BpmnWorkflow, target: str) -> None:
    """Every task left must belong to the new specs, or the state could not be loaded again."""
    for sub in [workflow, *workflow.subprocesses.values()]:
        for task in sub.get_tasks(skip_subprocesses=True):
            if sub.spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                raise MigrationBlocked(N_("its step %(task)s cannot be placed in %(target)s"), task=_label(task),
                                       target=target)
