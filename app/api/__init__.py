"""JSON API (Bearer tokens), described in /api/openapi.json."""
from __future__ import annotations

# Importing the route modules registers their routes on the blueprint.
from . import (admin, appeals, cases, delegation, external_tasks, groups, hearing, insight, nki, outbox, process_models,
               tasks)
from .common import OPENAPI, bp

__all__ = ["OPENAPI", "admin", "appeals", "bp", "cases", "delegation", "external_tasks", "groups", "hearing",
           "insight", "nki", "outbox",
           "process_models", "tasks"]
