"""The registry of service-task handlers, keyed by operation name.

A handler is a plain function ``fn(ctx: HandlerContext, **params) -> dict``. It
gets a small typed context and the parameters the diagram passes, and returns
JSON-able data that lands in the task data under the task's result variable.
Handlers never touch the database session or Flask: anything they need from
the host (a reference number, a notification) goes through the context.

Every handler declares what it returns (``returns``): the keys of its answer
and their kinds. The deploy gate walks a new diagram with fakes that answer
exactly that, and the administrator's skip form starts from it.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Notification:
    """An e-mail to send after the transaction commits."""

    kind: str
    recipient: str
    subject: str
    body: str


class Host(Protocol):
    """What the host offers handlers; everything happens in the action's transaction."""

    def next_number(self, series: str, year: int) -> int: ...
    def notify(self, notification: Notification) -> None: ...  # recipient: address or "group:<role>"
    def record_event(self, kind: str, data: Mapping[str, Any]) -> None: ...  # a case event for the clocks
    def has_event(self, kind: str) -> bool: ...
    def statutory_clock(self, case_type: str | None = None) -> dict: ...
    def extend_deadline(self, reason: str) -> dict: ...  # raises HandlerInputError when not allowed
    def send_letter(self, kind: str, values: Mapping[str, Any],
                    recipient: Mapping[str, Any] | None = None) -> dict: ...
    # Issue letter ``kind`` from the process's template letters/<kind>.<lang>.html with ``values`` (its
    # documented variables). recipient: None = the applicant, in their language; otherwise
    # {"name", "email" (None: kept and printed, not mailed), "address", "language"}.
    # Returns {"document_id", "kind", "language"}.
    def publish_notice(self, kind: str, title: str, text: str, until: str) -> dict: ...
    # Publish a notice ("decision" or "neighbour_notice") from today until ``until`` (ISO date) in the case's
    # channel: the anslagstavla, or Post- och Inrikes Tidningar for applications from before 2025-12-01.
    # Returns {"notice_id", "channel", "posted_on", "until"}.
    def serve(self, document_id: int) -> dict: ...
    # The applicant must be served the decision letter ``document_id``: served when its e-mail is sent, or on the
    # day staff record (post). The appeal period cannot end before. Returns {"party_id", "email"}.
    def appeal_period(self, decision: Mapping[str, Any]) -> dict: ...
    # Where the appeal period of ``decision`` (the record_decision result) stands, from the recorded dates
    # (app.services.appeal_period.Period.to_dict): {"state", "decided_on", "published_on", "appeal_last_day",
    # "legal_force_on", "parties", "appeals", ...}.


@dataclass(frozen=True)
class HandlerContext:
    case_id: int
    reference: str | None
    element_id: str
    now: datetime
    #: A read-only snapshot of the task data when the handler was called.
    data: Mapping[str, Any]
    settings: Mapping[str, Any]
    host: Host


Handler = Callable[..., dict]


#: The kinds a declared output may have. A kind ending in "?" may be missing from
#: the answer; "date|null" is either kind; a list of values is a choice (an enum);
#: a dict is a nested object.
KINDS = frozenset({"string", "datetime", "date", "number", "integer", "boolean", "list", "object", "null"})

Returns = Mapping[str, Any]


@dataclass(frozen=True)
class Operation:
    name: str
    fn: Handler
    required: frozenset[str]
    optional: frozenset[str]
    description: str = ""
    params: tuple[str, ...] = field(default=())
    #: Letter kinds the handler may send; a diagram that uses it must have their templates.
    letters: frozenset[str] = field(default=frozenset())
    #: What the handler returns: {key: kind}; None when it declares nothing.
    returns: Returns | None = None


REGISTRY: dict[str, Operation] = {}


def check_returns(declared: Any, where: str) -> None:
    """Raise ``ValueError`` unless ``declared`` is a valid output declaration."""
    if isinstance(declared, Mapping):
        for key, kind in declared.items():
            if not isinstance(key, str) or not key:
                raise ValueError(f"{where}: output names must be non-empty strings, not {key!r}")
            check_returns(kind, f"{where}.{key}")
    elif isinstance(declared, (list, tuple)):
        if not declared:
            raise ValueError(f"{where}: a choice needs at least one value")
    elif not (isinstance(declared, str) and all(k in KINDS for k in declared.rstrip("?").split("|"))):
        raise ValueError(f"{where}: {declared!r} is not one of {', '.join(sorted(KINDS))} "
                         "(or several joined by '|', optionally ending in '?'), a list of values or a nested dict")


def handler(name: str, *, returns: Returns, letters: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler for service operation ``name``.

    ``returns`` declares its answer; ``letters`` names the letter kinds it may send.
    """
    check_returns(returns, name)

    def register(fn: Handler) -> Handler:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[1:]  # first is the context
        required = frozenset(p.name for p in params if p.default is inspect.Parameter.empty)
        optional = frozenset(p.name for p in params if p.default is not inspect.Parameter.empty)
        REGISTRY[name] = Operation(
            name=name, fn=fn, required=required, optional=optional,
            description=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
            params=tuple(p.name for p in params), letters=frozenset(letters), returns=dict(returns),
        )
        return fn

    return register


class HandlerError(Exception):
    """A handler could not do its work; the action is rolled back."""


class HandlerInputError(Exception):
    """A value the user gave cannot be used; shown beside that form field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message
