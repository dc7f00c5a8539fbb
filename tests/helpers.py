"""Small helpers that read like what a user does."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode


def application(**overrides) -> dict:
    data = {
        "applicant_name": "Anna Andersson", "applicant_email": "anna@example.se",
        "property_designation": "Umeå Tallen 4:12", "measure": "plank",
        "description": "Ett 1,8 m högt plank mot gatan.", "in_detailed_plan": True, "deviates_from_plan": False,
    }
    data.update(overrides)
    return data


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Browser:
    """A test client that logs in and posts forms with their CSRF token."""

    def __init__(self, app):
        self.client = app.test_client()

    def login(self, username: str, password: str | None = None, *, next_path: str | None = None):
        """Sign in through the login form (with ``?next=next_path`` when given)."""
        from tests.conftest import PASSWORD

        url = "/login" if next_path is None else "/login?" + urlencode({"next": next_path})
        token = csrf(self.client.get(url).get_data(as_text=True))
        return self.client.post(url, data={"username": username, "password": password or PASSWORD,
                                           "csrf_token": token})

    def get(self, path: str):
        return self.client.get(path)

    def post_form(self, page: str, action: str, data: dict, **kw):
        token = csrf(self.client.get(page).get_data(as_text=True))
        return self.client.post(action, data={**data, "csrf_token": token}, **kw)


TRIAGE_COMPLETE = {"case_type": "bygglov", "neighbours_required": False, "referrals": [], "complete": True}


def reply_by(days: int = 300) -> str:
    """A reply date a supplement order takes: ``days`` after today in Stockholm by Lotsen's clock (far enough that
    no test reaches it, within the year the triage allows)."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.clock import utcnow

    return (utcnow().astimezone(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=days)).isoformat()


@dataclass
class Api:
    """The JSON API as one role sees it."""

    client: object
    actors: object

    def as_(self, role: str) -> RoleApi:
        return RoleApi(self.client, self.actors.headers(role))


@dataclass
class RoleApi:
    client: object
    headers: dict

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self.headers, **kw)

    def submit(self, **overrides) -> dict:
        r = self.post("/api/cases", {"process": "building_permit", "data": application(**overrides)})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def tasks(self, name: str | None = None, case_id: int | None = None) -> list[dict]:
        """The matching tasks of the inbox's first page, each opened (GET /api/tasks/{id}) for its form."""
        r = self.get("/api/tasks", query_string={"name": name} if name else {})
        assert r.status_code == 200, r.get_json()
        listed = [t for t in r.get_json() if (name is None or t["name"] == name)
                  and (case_id is None or t["case_id"] == case_id)]
        return [self.get(f"/api/tasks/{t['id']}").get_json() for t in listed]

    def complete(self, name: str, data: dict, case_id: int | None = None) -> dict:
        [task] = self.tasks(name, case_id)
        r = self.post(f"/api/tasks/{task['id']}/complete", {"data": data})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def case(self, case_id: int) -> dict:
        r = self.get(f"/api/cases/{case_id}")
        assert r.status_code == 200, r.get_json()
        return r.get_json()


def browser_login(page, role: str) -> None:
    """Log in through the login page as the test user of ``role`` (see conftest.ROLE_USERS)."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD, ROLE_USERS

    page.goto("/login")
    page.fill("#username", ROLE_USERS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    expect(page.locator("header .who")).to_have_text(ROLE_USERS[role].title())


def at_once(app, requests: list[tuple[str, dict | None, dict]]) -> list[int]:
    """POST each (path, JSON body, headers) from a thread of its own, all released at once; their status codes."""
    import threading

    barrier = threading.Barrier(len(requests))
    results: list[int | None] = [None] * len(requests)

    def post(i: int, path: str, body: dict | None, headers: dict) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        results[i] = client.post(path, json=body, headers=headers).status_code

    threads = [threading.Thread(target=post, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def store_without_the_gate(session, files: dict[str, str], message: str) -> list:
    """Store every process of ``files`` as a new version without the deploy gate.

    The gate refuses a diagram whose scripts run away or whose paths fail; a
    version stored before the gate existed may still have them, and the runtime
    must contain them. Tests of that runtime store such versions with this.
    """
    from app.engine.specs import read_bundle
    from app.engine.store import specs_to_json
    from app.services import processes
    from app.services.env import get_env

    bundle = read_bundle(files, processes.rules_for(session))
    files = {**files, **bundle.generated}
    versions = []
    for model, (spec, subprocesses) in bundle.specs.items():
        own = processes.model_files(bundle, files, model)
        version = processes._store(session, model, own, processes.content_hash(own),
                                   specs_to_json(spec, subprocesses), message, None, _NotWalked(),
                                   {"lanes": bundle.lane_groups, "process": processes._properties(bundle, model)})
        get_env(session).specs.put(version.id, version.spec_json)
        versions.append(version)
    return versions


class _NotWalked:
    def to_dict(self) -> dict:
        return {"verdict": "not_checked", "summary": "stored without the deploy gate", "warnings": []}
