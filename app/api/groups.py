"""Administrators' API for work groups: list, create, rename, retire, members."""
from __future__ import annotations

from flask import g, jsonify

from app.models import Group
from app.services import groups as group_service
from app.services.errors import Forbidden
from app.uow import db

from .common import api_user, bp, json_body

GROUP_FIELDS = ("name", "title_sv", "title_en", "referral_department")
CHANGE_FIELDS = ("title_sv", "title_en", "referral_department", "retired")


def _admin():
    if not g.api_user.has_role("admin"):
        raise Forbidden("only administrators manage groups")
    return g.api_user


def group_json(session, group: Group) -> dict:
    return {"name": group.name, "title_sv": group.title_sv, "title_en": group.title_en,
            "referral_department": group.referral_department, "retired": group.retired,
            "members": [u.username for u in group_service.members(session, group)]}


@bp.get("/api/admin/groups")
@api_user
def list_groups():
    _admin()
    session = db()
    return jsonify([group_json(session, grp) for grp in group_service.list_groups(session)])


@bp.post("/api/admin/groups")
@api_user
def create_group():
    actor = _admin()
    body = json_body(required=("name", "title_sv", "title_en"), allowed=GROUP_FIELDS)
    session = db()
    group = group_service.create_group(session, actor=actor, name=body["name"], title_sv=body["title_sv"],
                                       title_en=body["title_en"],
                                       referral_department=body.get("referral_department", False))
    return jsonify(group_json(session, group)), 201


@bp.get("/api/admin/groups/<name>")
@api_user
def get_group(name: str):
    _admin()
    session = db()
    return jsonify(group_json(session, group_service.get(session, name)))


@bp.patch("/api/admin/groups/<name>")
@api_user
def change_group(name: str):
    actor = _admin()
    body = json_body(allowed=CHANGE_FIELDS)
    session = db()
    return jsonify(group_json(session, group_service.update_group(session, actor=actor, name=name, changes=body)))


@bp.delete("/api/admin/groups/<name>")
@api_user
def retire_group(name: str):
    """Groups are never deleted (tasks and history name them): DELETE retires one."""
    actor = _admin()
    json_body(allowed=())
    session = db()
    group = group_service.update_group(session, actor=actor, name=name, changes={"retired": True})
    return jsonify(group_json(session, group))


@bp.post("/api/admin/groups/<name>/members")
@api_user
def add_member(name: str):
    actor = _admin()
    body = json_body(required=("username",), allowed=("username",))
    session = db()
    return jsonify(group_json(session, group_service.add_member(session, actor=actor, name=name,
                                                                username=body["username"]))), 201


@bp.delete("/api/admin/groups/<name>/members")
@api_user
def remove_member(name: str):
    actor = _admin()
    body = json_body(required=("username",), allowed=("username",))
    session = db()
    return jsonify(group_json(session, group_service.remove_member(session, actor=actor, name=name,
                                                                   username=body["username"])))


@bp.delete("/api/admin/groups/<name>/members/<username>")
@api_user
def remove_member_by_path(name: str, username: str):
    actor = _admin()
    session = db()
    return jsonify(group_json(session, group_service.remove_member(session, actor=actor, name=name,
                                                                   username=username)))


@bp.get("/api/me/groups")
@api_user
def my_groups():
    """The caller's own groups (for an inbox filter); any staff member may ask."""
    names = g.api_user.work_groups
    return jsonify([{"name": grp.name, "title_sv": grp.title_sv, "title_en": grp.title_en}
                    for grp in group_service.list_groups(db()) if grp.name in names])
