"""What a deploy is checked against (the host's operations, groups and statuses) and how problems are named."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from handlers.i18n import N_


@dataclass(frozen=True)
class Problem:
    file: str | None
    line: int | None
    element: str | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p)
        elem = f" [{self.element}]" if self.element else ""
        return f"{where or '(bundle)'}{elem}: {self.message}"


class BundleInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def label_key(label: str | None) -> str:
    """How group names and titles compare: letter case and runs of space ignored."""
    return " ".join((label or "").split()).casefold()


@dataclass(frozen=True)
class Rules:
    """What the host knows: handler operations, groups and status names.

    ``groups`` are the names of the groups that may get new work;
    ``group_labels`` ({``label_key`` of a name or title: name}) lets a lane
    name a group by its title as well.
    """

    operations: Mapping  # name -> handlers.registry.Operation
    groups: frozenset[str]
    statuses: frozenset[str]
    group_labels: Mapping[str, str] = field(default_factory=dict)
    #: Sources a form field may take its choices from (``x-options-from``).
    option_sources: frozenset[str] = frozenset()
    #: Roles (rights) a process may let start it.
    roles: frozenset[str] = frozenset({"applicant", "process_owner", "admin", "manager"})

    def group_for(self, label: str | None) -> str | None:
        """The group a lane or candidate group names, or None."""
        wanted = label_key(label)
        by_name = {label_key(g): g for g in self.groups}
        return by_name.get(wanted) or self.group_labels.get(wanted)

    def unknown_group(self, what: str, label: str | None) -> str:
        """The message for a lane (``what="lane"``) or a task's group that names no group: which group to create.

        A ``Message``: English for the API, translated where a process owner reads it.
        """
        known = ", ".join(sorted(self.groups)) or "–"
        if what == "lane":
            return N_("lane '%(label)s' is not a known group: create the group '%(label)s' (Administration → Groups) "
                      "or name one of the groups (%(known)s)", label=label or "", known=known)
        return N_("group '%(label)s' is not a known group: create the group '%(label)s' (Administration → Groups) "
                  "or name one of the groups (%(known)s)", label=label or "", known=known)
