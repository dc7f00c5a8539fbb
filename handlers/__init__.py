"""Service-task handlers, registered by operation name."""
from . import case, decision, fees  # noqa: F401 - registers the handlers
from .registry import REGISTRY, HandlerContext, Notification, handler

__all__ = ["REGISTRY", "HandlerContext", "Notification", "handler"]
