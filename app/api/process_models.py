"""Process models: list, deploy, versions, diff; case migration (being built)."""
from __future__ import annotations

from . import bp  # noqa: F401
