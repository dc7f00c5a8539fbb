"""Database triggers that keep the audit trail append-only, on PostgreSQL and SQLite alike.

* ``audit_event`` and ``audit_checkpoint``: no UPDATE, no DELETE.
* ``audit_detail``: no DELETE; the only UPDATE allowed is the one retention
  makes: details erased (set to NULL) naming a later ``retention.redacted``
  event, once.

``install`` runs after the tables are created (``create_all`` and migrations);
``remove`` exists for tests that play an attacker with the guards off.
"""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from .base import Base

_ERASE_ONLY = ("NEW.event_id = OLD.event_id AND OLD.details IS NOT NULL AND NEW.details IS NULL "
               "AND OLD.redacted_by_event_id IS NULL AND NEW.redacted_by_event_id IS NOT NULL "
               "AND EXISTS (SELECT 1 FROM audit_event r WHERE r.id = NEW.redacted_by_event_id "
               "AND r.action = 'retention.redacted' AND r.id > NEW.event_id)")
ERASE_REFUSED = "audit_detail may only be erased by a later recorded redaction"

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION audit_detail_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_detail rows cannot be deleted';
  END IF;
  IF NOT ({_ERASE_ONLY}) THEN
    RAISE EXCEPTION '{ERASE_REFUSED}';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_detail_guard BEFORE UPDATE OR DELETE ON audit_detail
FOR EACH ROW EXECUTE FUNCTION audit_detail_guard()""",
]
POSTGRES_TRIGGERS = {"audit_event_append_only": "audit_event", "audit_checkpoint_append_only": "audit_checkpoint",
                     "audit_detail_guard": "audit_detail"}


def _sqlite_refuse(table: str, op: str, message: str, when: str = "") -> tuple[str, str]:
    name = f"{table}_no_{op.lower()}"
    return name, (f"CREATE TRIGGER {name} BEFORE {op} ON {table} {when}"
                  f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


SQLITE = dict([
    _sqlite_refuse("audit_event", "UPDATE", "audit_event is append-only: UPDATE refused"),
    _sqlite_refuse("audit_event", "DELETE", "audit_event is append-only: DELETE refused"),
    _sqlite_refuse("audit_checkpoint", "UPDATE", "audit_checkpoint is append-only: UPDATE refused"),
    _sqlite_refuse("audit_checkpoint", "DELETE", "audit_checkpoint is append-only: DELETE refused"),
    _sqlite_refuse("audit_detail", "DELETE", "audit_detail rows cannot be deleted"),
    _sqlite_refuse("audit_detail", "UPDATE", ERASE_REFUSED, when=f"WHEN NOT ({_ERASE_ONLY}) "),
])


def install(conn: Connection) -> None:
    """Create the guards (replacing any that exist)."""
    remove(conn)
    if conn.dialect.name == "postgresql":
        for statement in POSTGRES:
            conn.execute(text(statement))
    elif conn.dialect.name == "sqlite":
        for statement in SQLITE.values():
            conn.execute(text(statement))


def remove(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for trigger, table in POSTGRES_TRIGGERS.items():
            conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger} ON {table}"))
    elif conn.dialect.name == "sqlite":
        for trigger in SQLITE:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))


@event.listens_for(Base.metadata, "after_create")
def _install_after_create(_target, connection: Connection, **_kw) -> None:
    install(connection)
