"""Server-rendered pages for staff (inbox, cases) and applicants (portal)."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Allow the view only to users with one of ``roles``."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


STAFF = ("coordinator", "officer", "referee", "committee", "admin", "process_owner")
