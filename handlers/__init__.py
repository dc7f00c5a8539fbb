"""Service-task handlers, registered by operation name."""
# Importing the handler modules registers their handlers.
from . import advice, appeal, case, communication, decision, delegation, fees, neighbours, referrals
from .registry import REGISTRY, HandlerContext, Notification, handler

__all__ = ["REGISTRY", "HandlerContext", "Notification", "advice", "appeal", "case", "communication", "decision",
           "delegation", "fees", "handler", "neighbours", "referrals"]
