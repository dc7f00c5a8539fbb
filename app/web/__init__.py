"""Server-rendered pages for staff (inbox, cases) and applicants (portal)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app import uow
from app.services.errors import InvalidInput


def role_required(*roles: str):
    """Allow the view only to users with one of ``roles``; ``"staff"`` admits anyone working for the municipality
    (a member of a work group, or a process owner, manager or administrator)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not (current_user.roles & set(roles) or ("staff" in roles and current_user.is_staff)):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


STAFF = ("staff",)


def form_errors(render: Callable[..., object], *, errors: tuple[type[Exception], ...] = (InvalidInput,)):
    """Show the form again when the view's input is refused.

    An ``InvalidInput`` (or one of ``errors``) escaping the view rolls the unit
    of work back, then ``render(exc, **view_kwargs)`` builds the page (with the
    field errors; status 422 unless it says otherwise).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except errors as exc:
                uow.abort()
                return render(exc, *args, **kwargs)

        return wrapper

    return decorate
