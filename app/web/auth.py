"""Log in, log out, choose the language."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session as cookie_session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from app.extensions import login_manager
from app.redirects import back, safe_next
from app.services import users
from app.services.errors import Unauthorized
from app import uow
from app.uow import db

from . import form_errors

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired()])
    password = PasswordField("password", validators=[DataRequired()])


@login_manager.user_loader
def _load_user(user_id: str):
    return uow.detached(lambda session: users.user_for_session(session, user_id))


def home_for(user) -> str:
    if not user.is_staff:
        return url_for("portal.index")
    return url_for("inbox.index")


def _login_refused(exc: Unauthorized):
    """Wrong name or password: the refusal is audited in a transaction of its own."""
    typed = request.form.get("username", "")
    uow.run(lambda session: users.record_failed_login(session, username=typed))
    return render_template("auth/login.html", form=LoginForm(), error=_("Wrong user name or password.")), 401


@bp.route("/login", methods=["GET", "POST"])
@form_errors(_login_refused, errors=(Unauthorized,))
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(db(), username=form.username.data.strip(), password=form.password.data)
        login_user(user)
        return redirect(safe_next(request.args.get("next"), home_for(user)))
    return render_template("auth/login.html", form=form, error=None)


@bp.post("/logout")
@login_required
def logout():
    users.end_sessions(db(), user_id=current_user.id)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    if code in ("sv", "en"):
        cookie_session["lang"] = code
    return redirect(back("/"))


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user))
