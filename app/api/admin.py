"""Administrators' API: audit, incidents, case operations (being built)."""
from __future__ import annotations

from . import bp  # noqa: F401
