"""The public notice board (anslagstavla): no login, no personal data."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.services import notices
from app.uow import db

bp = Blueprint("board", __name__)


@bp.get("/anslagstavla")
def index():
    return render_template("board/index.html", notices=notices.on_board(db()))
