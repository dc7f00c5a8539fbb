"""Domain errors raised by services; ``app.errors`` maps them to HTTP."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class CaseNotFound(NotFound):
    code = "case_not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class Forbidden(DomainError):
    code = "forbidden"


class TaskOfOtherGroups(Forbidden):
    """A task offered to other work groups; ``titles`` ({name: {"sv": …, "en": …}}) lets a page name them."""

    def __init__(self, message: str, *, groups: list[str], titles: dict[str, dict[str, str]]):
        super().__init__(message, groups=groups)
        self.titles = titles


class Unauthorized(DomainError):
    code = "unauthorized"


class Conflict(DomainError):
    code = "conflict"


class TaskAlreadyCompleted(Conflict):
    code = "task_already_completed"


class TaskClaimedByOther(Conflict):
    code = "task_claimed_by_other"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class MigrationRefused(Conflict):
    """A case cannot move to another version; ``why`` is the reason, translatable (engine.words.Reason)."""

    def __init__(self, message: str, why):
        super().__init__(message)
        self.why = why


class CaseClosed(Conflict):
    code = "case_closed"


class InvalidInput(DomainError):
    """Input that does not fit: ``errors`` is a list of {field, message}."""

    code = "invalid_input"

    def __init__(self, errors: list[dict], message: str = "The input is not valid."):
        super().__init__(message, errors=errors)
        self.errors = errors


class DeployRejected(DomainError):
    """A bundle failed validation: ``errors`` lists file, line, element, message."""

    code = "deploy_rejected"

    def __init__(self, errors: list[dict], message: str = "The diagrams were not deployed.", gate: dict | None = None):
        super().__init__(message, errors=errors, gate=gate)
        self.errors = errors
        #: The deploy gate's report (verdict, coverage, warnings) when the gate ran.
        self.gate = gate


class StepFailed(DomainError):
    """A process step (handler, script) failed; the action was rolled back."""

    code = "step_failed"

    def __init__(self, message: str, *, case_id: int | None, element: str | None, step: str | None = None):
        super().__init__(message, case_id=case_id, element=element)
        self.case_id = case_id
        self.element = element
        #: The failed step's name, for people.
        self.step = step
        #: What was being done, so an administrator can retry or skip it (see incidents).
        self.action: dict | None = None


class CaseBlocked(Conflict):
    """The case is suspended or has an open incident; it takes no actions now."""

    code = "case_blocked"
