"""Service-task handlers, registered by operation name."""
# Importing the handler modules registers their handlers.
from . import case, decision, delegation, fees, neighbours
from .registry import REGISTRY, HandlerContext, Notification, handler

__all__ = ["REGISTRY", "HandlerContext", "Notification", "case", "decision", "delegation", "fees", "handler",
           "neighbours"]
