"""The diagram studio for process owners (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template

from . import role_required

bp = Blueprint("studio", __name__, url_prefix="/studio")


@bp.get("/")
@role_required("process_owner", "admin")
def index():  # noqa: ANN201
    return render_template("error.html", code=200, message="The studio is being built.")
