"""Every route × every role: who may use it comes from one table (``ACCESS``).

A request is *allowed* when the answer is anything but a refusal (it may well
be 404, 409 or 422: the input is the same empty one for everybody); *refused*
is 401 for the API and a redirect to the login page for pages when nobody is
signed in, and 403 (or 404 for a case that is not yours) for a signed-in user.
A route that is added without an entry here fails the test, so deciding who may
use it is part of adding it.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from app.services import users
from tests.conftest import ROLE_USERS
from tests.helpers import Api, Browser, csrf

ANONYMOUS = "anonymous"
ROLES = [*ROLE_USERS, ANONYMOUS]
STAFF = {"coordinator", "officer", "referee", "committee", "process_owner", "admin"}
SIGNED_IN = set(ROLE_USERS)

#: Who may use what. Roles not named are refused.
WHO = {
    "everyone": set(ROLES),
    "signed in": SIGNED_IN,
    "staff": STAFF,
    "admin": {"admin"},
    "studio": {"process_owner", "admin"},
    "applicants": {"applicant", "applicant2"},
    "the case's applicant": {"applicant"},
    "the case's applicant and staff": STAFF | {"applicant"},
    "applicants and staff": STAFF | {"applicant", "applicant2"},
    "the task's group": {"coordinator"},
    "deciders": {"coordinator", "officer", "admin"},
    "the task's group and admin": {"coordinator", "admin"},
    "committee and admin": {"committee", "admin"},
    "recorders of service and appeals": {"officer", "coordinator", "committee", "admin"},
    "workers": set(),  # integration workers with their own credentials (lotsen workers add), no person
}

ACCESS = {
    "GET /": "signed in",
    "GET /healthz": "everyone",
    "GET /anslagstavla": "everyone",
    "GET /login": "everyone",
    "POST /login": "everyone",
    "POST /lang/<code>": "everyone",
    "GET /static/<path:filename>": "everyone",
    "GET /api/openapi.json": "everyone",
    "POST /logout": "signed in",
    "GET /api/me/export": "signed in",
    "GET /api/me/groups": "signed in",
    "GET /api/cases": "signed in",
    "POST /api/cases": "applicants and staff",
    "GET /api/cases/<int:case_id>": "the case's applicant and staff",
    "GET /api/cases/<int:case_id>/history": "the case's applicant and staff",
    "GET /api/cases/<int:case_id>/documents": "the case's applicant and staff",
    "GET /api/cases/<int:case_id>/documents/<int:doc_id>": "the case's applicant and staff",
    "POST /api/cases/<int:case_id>/messages/<name>": "the case's applicant and staff",
    "POST /api/cases/<int:case_id>/withdraw": "the case's applicant and staff",
    "POST /api/cases/<int:case_id>/extension": "deciders",
    "POST /api/cases/<int:case_id>/migrate": "studio",
    "GET /api/cases/<int:case_id>/audit": "admin",
    "GET /api/tasks": "signed in",
    "GET /api/tasks/<task_id>": "the task's group",
    "POST /api/tasks/<task_id>/claim": "the task's group",
    "POST /api/tasks/<task_id>/release": "the task's group",
    "POST /api/tasks/<task_id>/complete": "the task's group",
    "GET /api/process-models": "staff",
    "POST /api/process-models": "studio",
    "GET /api/process-models/<model>/versions": "staff",
    "GET /api/process-models/<model>/versions/<int:number>": "staff",
    "GET /api/process-models/<model>/diff": "staff",
    "GET /api/process-models/<model>/migration-preview": "staff",
    "GET /api/audit": "admin",
    "GET /api/audit/verify": "admin",
    "GET /api/admin/incidents": "admin",
    "POST /api/admin/tasks/<task_id>/retry": "admin",
    "POST /api/admin/tasks/<task_id>/skip": "admin",
    "POST /api/admin/tasks/<task_id>/reassign": "admin",
    "POST /api/admin/cases/<int:case_id>/<any(suspend, resume, terminate):operation>": "admin",
    "POST /api/admin/cases/<int:case_id>/move-back": "admin",
    "POST /api/admin/incidents/<int:incident_id>/move-back": "admin",
    "POST /api/process-models/<model>/rollback": "studio",
    "GET /api/admin/users/<username>/export": "admin",
    "GET /api/admin/groups": "admin",
    "POST /api/admin/groups": "admin",
    "GET /api/admin/groups/<name>": "admin",
    "PATCH /api/admin/groups/<name>": "admin",
    "DELETE /api/admin/groups/<name>": "admin",
    "POST /api/admin/groups/<name>/members": "admin",
    "DELETE /api/admin/groups/<name>/members": "admin",
    "DELETE /api/admin/groups/<name>/members/<username>": "admin",
    "POST /api/testing/clock": "signed in",
    "GET /api/admin/workers": "admin",
    "POST /api/admin/workers": "admin",
    "DELETE /api/admin/workers/<name>": "admin",
    "GET /api/admin/external-tasks": "admin",
    "POST /api/external-tasks/fetch-and-lock": "workers",
    "POST /api/external-tasks/<task_id>/complete": "workers",
    "POST /api/external-tasks/<task_id>/failure": "workers",
    "POST /api/external-tasks/<task_id>/extend-lock": "workers",
    "GET /inbox": "staff",
    "GET /tasks/<task_id>": "the task's group",
    "POST /tasks/<task_id>/claim": "the task's group",
    "POST /tasks/<task_id>/release": "the task's group",
    "POST /tasks/<task_id>/complete": "the task's group",
    "GET /cases": "staff",
    "GET /cases/<int:case_id>": "staff",
    "POST /cases/<int:case_id>/extension": "deciders",
    "GET /cases/<int:case_id>/documents/<int:doc_id>": "the case's applicant and staff",
    "GET /portal/": "applicants",
    "GET /portal/apply": "applicants",
    "GET /portal/apply/<process>": "applicants",
    "POST /portal/apply/<process>": "applicants",
    "POST /portal/cases/<int:case_id>/comments": "the case's applicant",
    "GET /api/processes": "signed in",
    "GET /cases/new": "staff",
    "GET /cases/new/<process>": "staff",
    "POST /cases/new/<process>": "staff",
    "GET /api/cases/<int:case_id>/hearing": "deciders",
    "POST /api/cases/<int:case_id>/hearing/parties": "deciders",
    "DELETE /api/cases/<int:case_id>/hearing/parties/<int:party_id>": "deciders",
    "POST /api/cases/<int:case_id>/hearing/parties/<int:party_id>/response": "deciders",
    "POST /cases/<int:case_id>/hearing/parties": "deciders",
    "POST /cases/<int:case_id>/hearing/parties/<int:party_id>/remove": "deciders",
    "POST /cases/<int:case_id>/hearing/parties/<int:party_id>/response": "deciders",
    "GET /api/delegation-decisions": "committee and admin",
    # insight: managers too (no test user has that role)
    "GET /api/insight/heatmap": "studio",
    "GET /insight/heatmap": "studio",
    "GET /insight/heatmap/<process>/<int:number>.bpmn": "studio",
    "GET /insight/exports/event-log.<any('xes', 'csv'):fmt>": "studio",
    "GET /api/insight/backlog": "studio",
    "GET /api/insight/exports/<any('open-data', 'boverket', 'closed-cases'):kind>": "studio",
    "GET /api/insight/groups": "studio",
    "GET /api/insight/summary": "studio",
    "GET /api/insight/trends": "studio",
    "GET /insight/": "studio",
    "GET /insight/charts/<name>.csv": "studio",
    "GET /insight/exports": "studio",
    "GET /insight/exports/<any('open-data', 'boverket', 'closed-cases'):kind>.csv": "studio",
    "GET /studio/simulations/": "studio",
    "GET /studio/simulations/<int:run_id>": "studio",
    "GET /studio/simulations/<int:run_id>/<int(min=0):scenario>.bpmn": "studio",
    "GET /studio/simulations/<int:run_id>/status.json": "studio",
    "POST /studio/simulations/": "studio",
    "GET /api/cases/<int:case_id>/appeal-period": "the case's applicant and staff",
    "POST /api/cases/<int:case_id>/parties": "recorders of service and appeals",
    "POST /api/cases/<int:case_id>/parties/<int:party_id>/service": "recorders of service and appeals",
    "POST /api/cases/<int:case_id>/appeals": "recorders of service and appeals",
    "POST /api/cases/<int:case_id>/appeals/<int:appeal_id>/decision": "recorders of service and appeals",
    "POST /cases/<int:case_id>/parties": "recorders of service and appeals",
    "POST /cases/<int:case_id>/parties/<int:party_id>/service": "recorders of service and appeals",
    "POST /cases/<int:case_id>/appeals": "recorders of service and appeals",
    "POST /cases/<int:case_id>/appeals/<int:appeal_id>/decision": "recorders of service and appeals",
    "GET /admin/outbox": "admin",
    "POST /admin/outbox/<int:message_id>/retry": "admin",
    "GET /api/admin/outbox": "admin",
    "POST /api/admin/outbox/<int:message_id>/retry": "admin",
    "GET /delegation-decisions": "committee and admin",
    "GET /delegation-decisions.csv": "committee and admin",
    "GET /portal/cases/<int:case_id>": "the case's applicant",
    "POST /portal/cases/<int:case_id>/supplement": "the case's applicant",
    "POST /portal/cases/<int:case_id>/withdraw": "the case's applicant",
    "GET /studio/": "studio",
    "GET /studio/catalog": "studio",
    "POST /studio/preview-form": "studio",
    "GET /studio/<model>/edit": "studio",
    "GET /studio/<model>/bundle": "studio",
    "POST /studio/<model>/draft": "studio",
    "POST /studio/<model>/validate": "studio",
    "POST /studio/<model>/deploy": "studio",
    "POST /studio/<model>/rollback": "studio",
    "GET /studio/<model>/diff": "studio",
    "GET /studio/<model>/migrate": "studio",
    "POST /studio/<model>/migrate": "studio",
    "GET /studio/<model>/versions/<int:number>": "studio",
    "GET /studio/<model>/versions/<int:number>/files/<path:name>": "studio",
    "GET /admin/": "admin",
    "GET /admin/audit": "admin",
    "GET /admin/cases/<int:case_id>": "admin",
    "GET /admin/cases/<int:case_id>/diagram.bpmn": "studio",
    "POST /admin/cases/<int:case_id>/<any(suspend, resume, terminate):operation>": "admin",
    "POST /admin/cases/<int:case_id>/move-back": "admin",
    "GET /admin/incidents": "admin",
    "POST /admin/incidents/<int:incident_id>/retry": "admin",
    "POST /admin/incidents/<int:incident_id>/skip": "admin",
    "POST /admin/incidents/<int:incident_id>/move-back": "admin",
    "POST /admin/tasks/<task_id>/reassign": "admin",
    "GET /admin/users": "admin",
    "POST /admin/users": "admin",
    "POST /admin/users/<username>/delete": "admin",
    "GET /admin/users/<username>/export": "admin",
    "POST /admin/users/<username>/roles": "admin",
    "GET /admin/groups/": "admin",
    "POST /admin/groups/": "admin",
    "GET /admin/groups/<name>": "admin",
    "POST /admin/groups/<name>": "admin",
    "POST /admin/groups/<name>/<any(retire, reinstate):operation>": "admin",
    "POST /admin/groups/<name>/members": "admin",
    "POST /admin/groups/<name>/members/<username>/remove": "admin",
    # applicants (issue 12): expectations before applying, a named contact, one conversation, previews, the survey
    "GET /api/expectations": "everyone",
    "POST /api/cases/<int:case_id>/contact": "staff",
    "POST /cases/<int:case_id>/contact": "staff",
    "GET /api/cases/<int:case_id>/conversation": "the case's applicant and staff",
    "POST /api/cases/<int:case_id>/conversation": "the case's applicant and staff",
    "POST /cases/<int:case_id>/conversation": "staff",
    "POST /portal/cases/<int:case_id>/conversation": "the case's applicant",
    "GET /cases/<int:case_id>/documents/<int:doc_id>/preview": "the case's applicant and staff",
    "GET /survey/<token>": "everyone",
    "POST /survey/<token>": "everyone",
    "POST /survey/<token>/decline": "everyone",
    # survey results: managers and administrators (no test user is a manager)
    "GET /api/insight/nki": "admin",
    "GET /admin/survey": "admin",
    "GET /admin/survey/answers.csv": "admin",
    "POST /admin/survey/cases.csv": "admin",
    "GET /admin/workers/": "admin",
    "POST /admin/workers/": "admin",
    "POST /admin/workers/<name>/revoke": "admin",
    "POST /studio/upload": "studio",
}

#: What fills each kind of path parameter: harmless targets (nobody whose loss matters).
PARAMS = {"code": "en", "filename": "lotsen.css", "model": "building_permit", "number": "1",
          "name": "committee", "username": "zz.victim", "incident_id": "1",
          "party_id": "1", "process": "building_permit", "message_id": "1", "run_id": "1",
          "scenario": "1", "kind": "open-data", "appeal_id": "1",
          "fmt": "csv", "token": "not-a-survey-link"}
#: Bodies that pass the API's shape checks, so that the answer shows who may act (not a 422 for everyone).
BODIES = {
    "POST /api/cases": {"process": "building_permit", "data": {}},
    "POST /api/cases/<int:case_id>/extension": {"reason": "Remiss dröjer."},
    "POST /api/cases/<int:case_id>/migrate": {"version": 1},
    "POST /api/cases/<int:case_id>/withdraw": {"reason": "Vi bygger inte."},
    "POST /api/tasks/<task_id>/complete": {"data": {}},
    "POST /api/cases/<int:case_id>/messages/<name>": {"data": {"message": "Ritningen kommer."}},
}
#: Routes whose success sends the person to the login page.
TO_LOGIN = {"/logout"}
#: Routes that change the world for the requests after them: run last.
LAST = ("/withdraw", "/logout")


@dataclass
class World:
    case_id: int
    task_id: str
    doc_id: int


def _routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


def _path(rule: str, world: World) -> str:
    values = {**PARAMS, "case_id": str(world.case_id), "task_id": world.task_id, "doc_id": str(world.doc_id)}

    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if name == "name" and "/files/" in rule:
            return "building_permit.bpmn"
        if name == "name" and "/messages/" in rule:
            return "supplement_received"
        if name == "operation":
            return "reinstate" if "retire" in match.group(1) else "resume"
        return values[name]

    return re.sub(r"<([^>]+)>", fill, rule)


def _world(app, api: Api, rt) -> World:
    case_id = api.as_("applicant").submit()["id"]
    browser = Browser(app)
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    upload = {"message": "Ritning.", "documents": (io.BytesIO(b"%PDF-1.4 ritning"), "ritning.pdf")}
    browser.post_form(page, f"{page}/supplement", upload, content_type="multipart/form-data")
    [task] = api.as_("coordinator").tasks("triage", case_id)
    doc_ids = re.findall(rf"/cases/{case_id}/documents/(\d+)", browser.get(page).get_data(as_text=True))
    with rt.db.unit_of_work() as session:
        users.create_user(session, username="zz.victim", roles=["applicant"], password="victim-password")
    return World(case_id, task["id"], int(doc_ids[0]))


def _signed_in_clients(app) -> dict:
    clients = {}
    for role, username in ROLE_USERS.items():
        browser = Browser(app)
        assert browser.login(username).status_code == 302
        clients[role] = browser
    clients[ANONYMOUS] = Browser(app)
    return clients


def _request(clients, actors, role: str, method: str, rule: str, path: str):
    browser = clients[role]
    if path.startswith("/api/"):
        headers = actors.headers(role) if role != ANONYMOUS else {}
        body = BODIES.get(f"{method} {rule}", {}) if method != "GET" else None
        return browser.client.open(path, method=method, headers=headers, json=body)
    if method == "GET":
        return browser.client.get(path)
    token = csrf(browser.get("/login").get_data(as_text=True))
    return browser.client.open(path, method=method, data={"csrf_token": token})


def _refused(response, role: str, path: str) -> bool:
    if role == ANONYMOUS:
        if path.startswith("/api/"):
            return response.status_code == 401
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code in (401, 403, 404)  # 401: a person's token is no worker credential


def _let_through(response, path: str) -> bool:
    """Anything but a refusal or a crash: 404, 409 or 422 say the request got past the door."""
    to_login = (response.status_code == 302 and response.headers["Location"].startswith("/login")
                and path not in TO_LOGIN)
    return response.status_code not in (401, 403) and response.status_code < 500 and not to_login


def _as_expected(expected: str, response, role: str, path: str) -> bool:
    return _refused(response, role, path) if expected == "refused" else _let_through(response, path)


def _runs_last(route: tuple[str, str]) -> int:
    return next((i + 1 for i, last in enumerate(LAST) if route[1].endswith(last)), 0)


def test_every_route_has_an_entry_in_the_table(app):
    missing = [f"{m} {r}" for m, r in _routes(app) if f"{m} {r}" not in ACCESS]
    stale = sorted(set(ACCESS) - {f"{m} {r}" for m, r in _routes(app)})
    assert (missing, stale) == ([], []), "decide who may use each new route: add it to ACCESS"


def test_every_role_gets_exactly_what_the_table_says(app, client, actors, rt):
    api = Api(client, actors)
    world = _world(app, api, rt)
    api.as_("coordinator").post(f"/api/tasks/{world.task_id}/claim")
    clients = _signed_in_clients(app)
    wrong = []
    routes = sorted(_routes(app), key=_runs_last)
    for method, rule in routes:
        allowed = WHO[ACCESS[f"{method} {rule}"]]
        path = _path(rule, world)
        for role in ROLES:
            response = _request(clients, actors, role, method, rule, path)
            response.close()  # a streamed export keeps its request's context (and signed-in user) until closed
            expected = "allowed" if role in allowed else "refused"
            if not _as_expected(expected, response, role, path):
                wrong.append(f"{method} {path} as {role}: {response.status_code}, expected {expected}")
    assert wrong == [], "\n".join(wrong)



def test_a_refused_caller_learns_nothing_from_the_body_check(app, client, actors, rt):
    """Who may act is decided before the body is read: a body with an unknown field is still a refusal."""
    api = Api(client, actors)
    world = _world(app, api, rt)
    clients = _signed_in_clients(app)
    writes = [(m, r) for m, r in _routes(app) if r.startswith("/api/") and m != "GET"]
    wrong = []
    for method, rule in sorted(writes, key=_runs_last):
        path = _path(rule, world)
        for role in set(ROLES) - WHO[ACCESS[f"{method} {rule}"]]:
            headers = actors.headers(role) if role != ANONYMOUS else {}
            response = clients[role].client.open(path, method=method, headers=headers, json={"zz_unknown": True})
            if not _refused(response, role, path):
                wrong.append(f"{method} {path} as {role}: {response.status_code} {response.get_data(as_text=True)}")
    assert wrong == [], "\n".join(wrong)
