"""The moves of a walk: what a user, the clock or the portal does to a waiting case."""
from __future__ import annotations

import uuid

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition

from .paths import Budget, LoopBound, Trail, catching, definitions

#: A time long past: a timer given it fires at once.
PAST = "1970-01-01T00:00:00+00:00"


class Moves:
    """Mixed into the walker: each ``_move_<kind>`` takes one move on a loaded workflow."""

    def _apply(self, wf, move: tuple, trail: Trail) -> bool:
        """Take one move on a loaded workflow; False when the path cannot go on."""
        kind, task_id, arg = move
        task = wf.get_task_from_id(uuid.UUID(task_id))
        try:
            self._count(task, trail)
            getattr(self, f"_move_{kind}")(wf, task, arg, trail)
        except LoopBound:
            self._end(trail, "loop_bound")
            return False
        except Budget:
            raise
        except Exception as exc:  # the step failed on this path
            self._fail(trail, task, exc)
            if not self._pass_over(wf, task, trail):
                self._end(trail, "failed")
                return False
        return True

    def _move_complete(self, wf, task, data: dict, trail: Trail) -> None:
        trail.actions.append({"kind": "complete", "element": task.task_spec.bpmn_id, "data": data})
        variable = getattr(task.task_spec, "variable", None)
        if variable:
            task.data[variable] = dict(data)
        else:
            task.set_data(**data)
        task.run()
        self._done(trail, task)

    def _move_fire(self, wf, task, index: int, trail: Trail) -> None:
        definition = definitions(task)[index]
        trail.actions.append({"kind": "timer", "element": catching(task, index)})
        if isinstance(definition, CycleTimerEventDefinition):
            value = dict(task.internal_data.get("event_value") or {"cycles": 1, "duration": 0})
            task.internal_data["event_value"] = {**value, "next": PAST}
        else:
            task.internal_data["event_value"] = PAST
        task.task_spec._update(task)

    def _move_deliver(self, wf, task, index: int, trail: Trail) -> None:
        definition = definitions(task)[index]
        payload = self.inputs.message_payload(definition.name)
        trail.actions.append({"kind": "message", "name": definition.name, "element": catching(task, index),
                              "payload": payload})
        wf.send_event(BpmnEvent(definition, dict(payload), {}))

    def _move_decide(self, wf, task, outputs: dict | None, trail: Trail) -> None:
        if outputs is None:  # the table's own answer for this data
            task.run()
        else:
            trail.replayable = False
            task.data.update(outputs)
            task.complete()
        trail.actions.append({"kind": "decision", "element": task.task_spec.bpmn_id, "outputs": outputs})
        self._done(trail, task)

    def _move_external(self, wf, task, _none, trail: Trail) -> None:
        """An external worker completes its task; what it sends is not known, so nothing is added."""
        trail.replayable = False
        trail.actions.append({"kind": "external", "element": task.task_spec.bpmn_id})
        task.complete()
        self._done(trail, task)

    def _move_answer(self, wf, task, answer: dict, trail: Trail) -> None:
        trail.actions.append({"kind": "answer", "element": task.task_spec.bpmn_id, "answer": answer})
        wf.script_engine.overrides[task.task_spec.bpmn_id] = answer
        task.run()
        self._done(trail, task)
