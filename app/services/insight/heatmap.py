"""Per task of a deployed version: how many were done, the median wait (ready → claimed) and work
(claimed → completed), for the heatmap on the diagram."""
from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import Case, HumanTask, ProcessVersion, TaskStatus

from ..errors import InvalidInput, N_, NotFound
from .stats import grouped_figures, seconds_between


def versions(session: Session, process: str) -> list[int]:
    return list(session.scalars(select(ProcessVersion.number).where(ProcessVersion.model == process)
                                .order_by(ProcessVersion.number)))


def version_of(session: Session, process: str, number: int | str | None) -> ProcessVersion:
    """The version asked for (the latest when none is), or a clear error."""
    if number in (None, ""):
        version = session.scalar(select(ProcessVersion).where(ProcessVersion.model == process)
                                 .order_by(ProcessVersion.number.desc()).limit(1))
    else:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise InvalidInput([{"field": "version", "message": N_("must be a version number")}]) from None
        version = session.scalar(select(ProcessVersion).where(ProcessVersion.model == process,
                                                              ProcessVersion.number == number))
    if version is None:
        raise NotFound(N_("no such deployed process or version"))
    return version


def diagram_of(files: dict[str, str], process: str) -> str | None:
    """The BPMN file of a bundle that holds ``process``."""
    bpmn = [text for name, text in sorted(files.items()) if name.endswith(".bpmn")]
    return next((text for text in bpmn if f'id="{process}"' in text), bpmn[0] if bpmn else None)


def heatmap(session: Session, version: ProcessVersion) -> dict:
    """Completed tasks of the cases on ``version``, per element: count, median wait and median work in hours."""
    where = and_(HumanTask.case_id == Case.id, Case.process_version_id == version.id,
                 HumanTask.status == TaskStatus.COMPLETED, HumanTask.claimed_at.is_not(None))
    found = grouped_figures(session, HumanTask.element_id, {
        "wait": seconds_between(session, HumanTask.created_at, HumanTask.claimed_at),
        "work": seconds_between(session, HumanTask.claimed_at, HumanTask.completed_at)}, where, (0.5,))
    names = _names(session, version)
    elements = [{"element": element, "name": names.get(element, (element, element))[0],
                 "name_sv": names.get(element, (element, element))[1], "count": figures["count"],
                 "median_wait_hours": _hours(figures["wait"]), "median_work_hours": _hours(figures["work"])}
                for element, figures in sorted(found.items())]
    return {"process": version.model, "version": version.number, "versions": versions(session, version.model),
            "elements": elements}


def _hours(values) -> float | None:
    return round(values[0] / 3600, 2) if values and values[0] is not None else None


def _names(session: Session, version: ProcessVersion) -> dict[str, tuple[str, str]]:
    """Each task's name in English and Swedish (the diagram's ``title_sv`` property)."""
    from ..processes import version_specs

    spec, _ = version_specs(session, version)
    names = {}
    for ts in spec.task_specs.values():
        if getattr(ts, "bpmn_id", None):
            name = ts.bpmn_name or ts.bpmn_id
            properties = (getattr(ts, "extensions", None) or {}).get("properties") or {}
            names[ts.bpmn_id] = (name, properties.get("title_sv") or name)
    return names
