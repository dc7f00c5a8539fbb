"""The simulation's engine work, made cheaper without changing what a case does.

Its walk of the task tree must find what SpiffWorkflow's own iterator finds, in the same order, at every
step of real cases; dropping finished history must keep every live task and its data; and SpiffWorkflow
no longer builds log details that no logger keeps.
"""
from __future__ import annotations

import logging

import pytest
from SpiffWorkflow import task as spiff_task_module
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

from app.engine import simulated
from app.engine.specs import parse_bundle
from app.services import simulation
from app.services.processes import RULES
from app.simulation import run as simulation_run
from bench.step_cost import FILES as LONG_CASE
from tests.bundles import CHECK_FORM, FIXTURES
from tests.test_simulation import _run

#: Ways SpiffWorkflow and Lotsen ask for tasks (the last ones with a depth limit the tree reaches).
QUERIES = [
    {"state": TaskState.READY}, {"state": TaskState.WAITING}, {"state": TaskState.READY, "manual": True},
    {"state": TaskState.NOT_FINISHED_MASK}, {"state": TaskState.PREDICTED_MASK}, {},
    {"state": TaskState.READY | TaskState.WAITING | TaskState.STARTED}, {"spec_name": "review"},
    {"state": TaskState.FINISHED_MASK, "end_at_spec": "review"}, {"max_depth": 3},
    {"state": TaskState.NOT_FINISHED_MASK, "max_depth": 4},
]


def _same_as_spiffworkflow(wf) -> None:
    assert isinstance(wf, simulated.SimulatedWorkflow)
    for query in QUERIES:
        theirs = [t.id for t in BpmnTaskIterator(wf.task_tree, **query)]
        assert [t.id for t in wf.get_tasks(**query)] == theirs, query
        plain = {k: v for k, v in query.items() if k in ("state", "max_depth", "end_at_spec")}
        assert [t.id for t in simulated.walk(wf.task_tree, **plain)] == [
            t.id for t in TaskIterator(wf.task_tree, **plain)], query


def test_at_every_step_of_simulated_cases_the_walk_finds_what_spiffworkflow_finds_in_its_order(rt, monkeypatch):
    checked = []
    settle = simulation_run.Run._settle

    def checking(self, case):
        if not case.wf.is_completed():
            _same_as_spiffworkflow(case.wf)
            checked.append(len(case.wf.tasks))
        return settle(self, case)

    monkeypatch.setattr(simulation_run.Run, "_settle", checking)
    result = _run(rt, simulation.Variant(staff={"officer": 2}), cases=15)
    assert result["scenarios"][0]["failures"] == []
    assert len(checked) > 100 and max(checked) > 20


def test_the_walk_stops_at_spiffworkflows_depth_limit_in_a_long_loop():
    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    wf = simulated.SimulatedWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    for n in range(40):
        [review] = wf.get_tasks(state=TaskState.READY, manual=True)
        review.set_data(finished=False, note=f"{n}")
        review.run()
        wf.do_engine_steps()
    for limit in (1, 5, 17, 60, 1000):
        for state in (TaskState.ANY_MASK, TaskState.READY, TaskState.COMPLETED):
            assert [t.id for t in simulated.walk(wf.task_tree, state=state, max_depth=limit)] == [
                t.id for t in TaskIterator(wf.task_tree, state=state, max_depth=limit)]
    assert len(wf.get_tasks(state=TaskState.COMPLETED)) > 60


def test_dropping_finished_history_keeps_the_live_tasks_their_data_and_the_way_on():
    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    wf = simulated.SimulatedWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    for n in range(10):
        [review] = wf.get_tasks(state=TaskState.READY, manual=True)
        review.set_data(finished=False, note=f"review {n}")
        review.run()
        wf.do_engine_steps()
    live = {t.id: dict(t.data) for t in wf.get_tasks(state=TaskState.NOT_FINISHED_MASK)}
    before = len(wf.tasks)

    gone = simulated.drop_history(wf)

    assert gone > 0 and len(wf.tasks) == before - gone
    assert {t.id: dict(t.data) for t in wf.get_tasks(state=TaskState.NOT_FINISHED_MASK)} == live
    assert wf.task_tree.parent is None and wf.task_tree.has_state(TaskState.COMPLETED)
    assert simulated.drop_history(wf) == 0  # nothing more finished since
    [review] = wf.get_tasks(state=TaskState.READY, manual=True)
    assert review.data["note"] == "review 9"
    review.set_data(finished=True, note="done")
    review.run()
    wf.do_engine_steps()
    assert wf.is_completed()


def test_taking_finished_tasks_out_of_a_long_loop_keeps_its_live_task_with_its_parent_and_data():
    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    wf = simulated.SimulatedWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    for n in range(10):
        [review] = wf.get_tasks(state=TaskState.READY, manual=True)
        review.set_data(finished=False, note=f"review {n}")
        review.run()
        wf.do_engine_steps()
        simulated.splice_history(wf)
    [review] = wf.get_tasks(state=TaskState.READY, manual=True)
    parent, data = review.parent, dict(review.data)
    assert len(wf.tasks) < 10 and simulated.splice_history(wf) == 0
    assert wf.task_tree.has_state(TaskState.COMPLETED) and review.parent is parent and review.data == data
    assert review.data["note"] == "review 9"
    review.set_data(finished=True, note="done")
    review.run()
    wf.do_engine_steps()
    assert wf.is_completed()


def test_in_simulated_cases_every_waiting_boundary_join_still_finds_its_split(rt, monkeypatch):
    joins = []
    settle = simulation_run.Run._settle

    def checking(self, case):
        settle(self, case)
        if case.alive:
            for task in case.wf.get_tasks(state=TaskState.NOT_FINISHED_MASK, spec_class=BoundaryEventJoin):
                assert task.find_ancestor(task.task_spec.split_task) is not None
                joins.append(task)

    monkeypatch.setattr(simulation_run.Run, "_settle", checking)
    result = _run(rt, simulation.Variant(staff={"officer": 2}), cases=15)
    assert result["scenarios"][0]["failures"] == [] and len(joins) > 50


def test_a_workflow_that_can_call_a_subprocess_keeps_spiffworkflows_own_walk():
    calls = (FIXTURES / "camunda" / "call_mapping.bpmn").read_text(encoding="utf-8").replace("MAPPINGS", "")
    bundle = parse_bundle({"calls.bpmn": calls, "forms/check.json": CHECK_FORM}, RULES)
    caller, _ = bundle.specs["caller"]
    long_case, _ = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    assert simulated.workflow_class(caller) is BpmnWorkflow
    assert simulated.workflow_class(long_case) is simulated.SimulatedWorkflow


@pytest.fixture
def spiff_log():
    logger = spiff_task_module.logger
    level = logger.level
    yield logger
    logger.setLevel(level)


def test_with_spiffworkflows_logging_off_a_state_change_builds_no_log_details(spiff_log, monkeypatch):
    built = []
    original = spiff_task_module.Task.collect_log_extras
    monkeypatch.setattr(spiff_task_module.Task, "collect_log_extras",
                        lambda self, dct=None: built.append(self) or original(self, dct))
    spiff_log.setLevel(logging.WARNING)
    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    wf = BpmnWorkflow(spec, subprocesses)
    wf.do_engine_steps()
    assert wf.get_tasks(state=TaskState.READY, manual=True) and built == []


def test_with_spiffworkflows_logging_on_each_state_change_is_logged_with_its_details(spiff_log, caplog):
    spiff_log.setLevel(logging.INFO)
    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    with caplog.at_level(logging.INFO, logger=spiff_log.name):
        wf = BpmnWorkflow(spec, subprocesses)
        wf.do_engine_steps()
    [review] = wf.get_tasks(state=TaskState.READY, manual=True)
    records = [r for r in caplog.records if r.name == spiff_log.name and getattr(r, "task_id", None) == review.id]
    assert [r.getMessage() for r in records][-1] == "State changed to READY"
    assert records[-1].task_spec == review.task_spec.name and records[-1].state == "READY"
    assert records[-1].elapsed >= 0


def test_new_tasks_get_random_version_4_uuids_that_equal_and_hash_as_parsed_ones():
    from uuid import UUID

    spec, subprocesses = parse_bundle(LONG_CASE, RULES).specs["long_case"]
    ids = [task.id for _ in range(60) for task in BpmnWorkflow(spec, subprocesses).tasks.values()]
    assert len(ids) >= 480 and len(set(ids)) == len(ids)
    for task_id in ids:
        parsed = UUID(str(task_id))
        assert type(task_id) is UUID and task_id.version == 4 and task_id.variant == "specified in RFC 4122"
        assert parsed == task_id and hash(parsed) == hash(task_id) and parsed.int == task_id.int
    assert len({task_id.int >> 96 for task_id in ids}) > len(ids) * 0.99  # random, not counted up


def test_a_forked_process_makes_other_task_ids_than_its_parent():
    """A server worker forked from a process that has read ids ahead must not make the same ones."""
    import os

    make = spiff_task_module.uuid4
    make()  # ids read ahead in this process
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then leave at once
        os.write(write, " ".join(str(make()) for _ in range(20)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split())
    parent = {str(make()) for _ in range(20)}
    assert len(child) == 20 and not child & parent
