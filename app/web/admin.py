"""Administration: audit trail, incidents, case operations (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

from . import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required("admin")
def index():  # noqa: ANN201
    return render_template("error.html", code=200, message="Administration is being built.")
