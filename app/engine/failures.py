"""A failed step, as the engine reports it: which element, its name, and the error in plain words."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from handlers.registry import HandlerInputError

from . import skips as skipping
from .routing import RoutingFailed
from .sandbox import ScriptLimitExceeded, ScriptRejected


class EngineError(Exception):
    """A step of the process failed (handler, script or expression)."""

    def __init__(self, message: str, *, element: str | None = None, cause: BaseException | None = None,
                 step: str | None = None):
        super().__init__(message)
        self.element = element
        self.cause = cause
        #: The failed element's name, for people (``element`` is its id).
        self.step = step


def translating(wf: BpmnWorkflow, fn: Callable[[], Any]) -> None:
    """Run ``fn``; a failed step becomes ``EngineError`` (a user's bad value stays ``HandlerInputError``)."""
    try:
        fn()
    except (HandlerInputError, skipping.SkipStep):
        raise
    except RoutingFailed as exc:
        raise EngineError(str(exc), element=exc.element, cause=exc, step=_step(wf, exc.element)) from exc
    except WorkflowTaskException as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, HandlerInputError):
            raise cause from exc
        if isinstance(getattr(exc, "exception", None), HandlerInputError):
            raise exc.exception from exc
        element = exc.task.task_spec.bpmn_id if exc.task else None
        raise EngineError(_describe(exc), element=element, cause=exc, step=_step(wf, element)) from exc
    except (ScriptRejected, ScriptLimitExceeded, SpiffWorkflowException) as exc:
        element = _failed_element(wf)
        raise EngineError(str(exc), element=element, cause=exc, step=_step(wf, element)) from exc
    except Exception as exc:  # a handler failed; the caller rolls back
        element = _failed_element(wf)
        name = f"{_step(wf, element)}: " if element else ""
        raise EngineError(f"{name}{type(exc).__name__}: {exc}", element=element, cause=exc,
                          step=_step(wf, element)) from exc


def _step(wf: BpmnWorkflow, element: str | None) -> str | None:
    """The name of ``element`` (its id when it has none)."""
    if not element:
        return None
    for spec in [wf.spec, *[s for s in wf.subprocess_specs.values() if s is not None]]:
        ts = spec.task_specs.get(element)
        if ts is not None:
            return ts.bpmn_name or element
    return element


def _failed_element(wf: BpmnWorkflow) -> str | None:
    failed = wf.get_tasks(state=TaskState.ERROR)
    return failed[0].task_spec.bpmn_id if failed else None


def _describe(exc: WorkflowTaskException) -> str:
    cause = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    spec = exc.task.task_spec if exc.task else None
    where = f"{spec.bpmn_name or spec.bpmn_id}: " if spec else ""
    if isinstance(cause, ScriptLimitExceeded):
        return f"{where}{cause}"
    if cause is not None and not isinstance(cause, SpiffWorkflowException):
        return f"{where}{type(cause).__name__}: {cause}"
    return f"{where}{exc}"
