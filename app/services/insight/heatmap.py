"""Per task of a deployed version: how many were done, the median wait (ready → claimed) and work
(claimed → completed), for the heatmap on the diagram."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import HumanTask, ProcessVersion

from ..errors import InvalidInput, N_, NotFound
from .stats import interpolate


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
    """Tasks completed on ``version`` after a claim, per element: count, median wait and median work in hours."""
    counts = dict(session.execute(
        select(HumanTask.element_id, func.count()).where(HumanTask.process_version_id == version.id,
                                                         HumanTask.wait_seconds.is_not(None))
        .group_by(HumanTask.element_id)).all())
    names = _names(session, version)
    elements = [{"element": element, "name": names.get(element, (element, element))[0],
                 "name_sv": names.get(element, (element, element))[1], "count": count,
                 "median_wait_hours": _hours(_median(session, version.id, element, HumanTask.wait_seconds, count)),
                 "median_work_hours": _hours(_median(session, version.id, element, HumanTask.work_seconds, count))}
                for element, count in sorted(counts.items())]
    return {"process": version.model, "version": version.number, "versions": versions(session, version.model),
            "elements": elements}


def _median(session: Session, version_id: int, element: str, column, count: int) -> float | None:
    """The median of ``column`` over ``count`` rows, read at its offset in the index (the one or two middle
    values, interpolated as ``percentile_cont`` does): exact, without fetching the other rows."""
    middle = session.scalars(select(column).where(HumanTask.process_version_id == version_id,
                                                  HumanTask.element_id == element, column.is_not(None))
                             .order_by(column).limit(2).offset((count - 1) // 2)).all()
    return interpolate(middle, 0.5 if count % 2 == 0 else 0.0) if middle else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


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
