"""A small history of cases walked through the public API with the testing clock, for the insight tests.

Day 0 is Monday 5 January 2026; every step happens at 09:00 local time.

| case | what happens | statutory days | lead days |
|---|---|---|---|
| a | plank, complete at triage day 2, granted day 20 | 20 | 20 |
| b | plank, complete day 3, handed over to the committee and refused day 9 | 8 | 8 |
| c | nybyggnad, supplement ordered day 5, reply day 25, complete day 27, granted day 40 | 15 | 38 |
| d | plank, complete day 4, granted day 80: 10 days late, fee reduced by 2/5 | 77 | 77 |
| e | mur, complete day 5, granted day 30 | 26 | 26 |
| w | plank, withdrawn day 10 | – | – |
| o1 | plank arrived day 70, complete day 71, waits for the decision: due day 140 | open | |
| o2 | plank arrived day 75, waits at triage | open | |
"""
from __future__ import annotations

from datetime import date

from tests.helpers import TRIAGE_COMPLETE
from tests.scenario import on, plus, refuse_after_comments, reply

DAY0 = date(2026, 1, 5)
TODAY = 130  # the day the figures are read


def day(n: int) -> date:
    return plus(DAY0, n)


def _triage(api, case_id, **extra):
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"} | extra, case_id=case_id)


def _decide(api, case_id, outcome="granted"):
    if outcome == "refused":  # the delegation order leaves refusals to the committee
        api.as_("coordinator").complete("coordinator_decision", {"outcome": "hand_over", "decision_text": "Avslag."},
                                        case_id=case_id)
        api.as_("officer").complete("review", {"assessment": "Strider mot planen.", "referrals": [],
                                               "neighbours_required": False}, case_id=case_id)
        refuse_after_comments(api, case_id)
        api.as_("committee").complete("committee_decision", {"outcome": "refused", "minutes_reference": "§ 12",
                                                             "committee_text": "Nämnden avslår ansökan."},
                                      case_id=case_id)
        return
    api.as_("coordinator").complete("coordinator_decision", {"outcome": outcome, "decision_text": "Beslut."},
                                    case_id=case_id)


def walk(api) -> dict[str, int]:
    """Walk the history above; returns {case name: case id}. The clock is left at day ``TODAY``."""
    ids: dict[str, int] = {}
    steps = [
        (0, "a", "submit", {"measure": "plank"}), (1, "b", "submit", {"measure": "plank"}),
        (2, "c", "submit", {"measure": "nybyggnad", "in_detailed_plan": True}),
        (2, "a", "triage", {}), (3, "b", "triage", {}), (3, "d", "submit", {"measure": "plank"}),
        (4, "d", "triage", {}), (4, "e", "submit", {"measure": "mur"}),
        (5, "c", "order", {}), (5, "e", "triage", {}), (6, "w", "submit", {"measure": "plank"}),
        (9, "b", "refused", {}), (10, "w", "withdraw", {}), (20, "a", "granted", {}), (25, "c", "reply", {}),
        (27, "c", "triage", {}), (30, "e", "granted", {}), (40, "c", "granted", {}),
        (70, "o1", "submit", {"measure": "plank"}), (71, "o1", "triage", {}),
        (75, "o2", "submit", {"measure": "plank"}), (80, "d", "granted", {}),
    ]
    for n, name, step, extra in steps:
        on(api, day(n))
        if step == "submit":
            ids[name] = api.as_("applicant").submit(**extra)["id"]
        elif step == "triage":
            _triage(api, ids[name])
        elif step == "order":
            _triage(api, ids[name], complete=False, supplement_request="Fasadritning saknas.",
                    reply_by=day(40).isoformat())
        elif step == "reply":
            reply(api, ids[name])
        elif step == "withdraw":
            r = api.as_("applicant").post(f"/api/cases/{ids[name]}/withdraw", {"reason": "Vi bygger inte."})
            assert r.status_code == 200, r.get_json()
        else:
            _decide(api, ids[name], step)
    on(api, day(TODAY))
    return ids
