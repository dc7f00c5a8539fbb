"""Administration of work groups: create, rename, retire, members."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app.services import groups as group_service
from app.services import users as user_service
from app.services.errors import Conflict, InvalidInput, NotFound
from app.uow import db

from . import form_errors, role_required

bp = Blueprint("admin_groups", __name__, url_prefix="/admin/groups")
#: Refusals shown beside the form (the unit of work is rolled back first).
REFUSED = (InvalidInput, Conflict, NotFound)


def _errors(exc) -> dict[str, str]:
    """{field: message}; the template translates the messages (service messages are fixed, marked texts)."""
    if isinstance(exc, InvalidInput):
        return {e["field"]: e["message"] for e in exc.errors}
    if isinstance(exc, Conflict):
        return {"name": _("A group with this name already exists (letter case does not matter).")}
    return {"username": _("There is no such user.")}


def _index(values=None, errors=None, status=200):
    session = db()
    locale = str(get_locale() or "sv")
    groups = sorted(group_service.list_groups(session), key=lambda g: (g.retired, g.title(locale).casefold()))
    counts = {g.name: len(group_service.members(session, g)) for g in groups}
    return render_template("admin/groups.html", groups=groups, counts=counts, values=values or {},
                           errors=errors or {}), status


def _show(name: str, errors=None, status=200):
    session = db()
    group = group_service.get(session, name)
    members = group_service.members(session, group)
    others = [u for u in user_service.active_users(session) if u not in members]
    return render_template("admin/group.html", group=group, members=members, others=others,
                           errors=errors or {}), status


@bp.get("/")
@role_required("admin")
def index():
    return _index()


def _create_refused(exc):
    values = {k: (request.form.get(k) or "").strip() for k in ("name", "title_sv", "title_en")}
    return _index(values | {"referral_department": request.form.get("referral_department") == "1"}, _errors(exc), 422)


@bp.post("/")
@role_required("admin")
@form_errors(_create_refused, errors=REFUSED)
def create():
    values = {k: (request.form.get(k) or "").strip() for k in ("name", "title_sv", "title_en")}
    group = group_service.create_group(db(), actor=current_user, **values,
                                       referral_department=request.form.get("referral_department") == "1")
    flash(_("Group %(title)s created. Now add its members.", title=group.title_sv), "success")
    return redirect(url_for("admin_groups.show", name=group.name))


@bp.get("/<name>")
@role_required("admin")
def show(name: str):
    return _show(name)


def _show_refused(exc, name: str, **_kwargs):
    return _show(name, _errors(exc), 422)


@bp.post("/<name>")
@role_required("admin")
@form_errors(_show_refused)
def change(name: str):
    changes = {"title_sv": request.form.get("title_sv", ""), "title_en": request.form.get("title_en", ""),
               "referral_department": request.form.get("referral_department") == "1"}
    group_service.update_group(db(), actor=current_user, name=name, changes=changes)
    flash(_("Group saved."), "success")
    return redirect(url_for("admin_groups.show", name=name))


@bp.post("/<name>/<any(retire, reinstate):operation>")
@role_required("admin")
def retire(name: str, operation: str):
    group_service.update_group(db(), actor=current_user, name=name, changes={"retired": operation == "retire"})
    flash(_("The group is retired: it gets no new work, and its members keep what they have.")
          if operation == "retire" else _("The group is active again."), "success")
    return redirect(url_for("admin_groups.show", name=name))


@bp.post("/<name>/members")
@role_required("admin")
@form_errors(_show_refused, errors=REFUSED)
def add_member(name: str):
    username = request.form.get("username", "")
    group_service.add_member(db(), actor=current_user, name=name, username=username)
    flash(_("%(user)s is now in the group.", user=username), "success")
    return redirect(url_for("admin_groups.show", name=name))


@bp.post("/<name>/members/<username>/remove")
@role_required("admin")
def remove_member(name: str, username: str):
    group_service.remove_member(db(), actor=current_user, name=name, username=username)
    flash(_("%(user)s has left the group.", user=username), "success")
    return redirect(url_for("admin_groups.show", name=name))
