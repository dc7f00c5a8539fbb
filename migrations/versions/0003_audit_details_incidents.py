"""audit details apart from the chain, incidents, suspension and redaction

Audit details move to ``audit_detail`` so retention can erase personal data by
a recorded redaction while the chain (which now covers only their hash) stays
verifiable. Events written before this revision keep their original chain
hashes and are marked ``chain_version = 1``: ``lotsen audit verify`` checks them
with the formula they were written with. On PostgreSQL a trigger makes
``audit_event`` append-only.

Revision ID: 0003_admin
Revises: 0002_clocks
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

import app.models.base

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""

revision = "0003_admin"
down_revision = "0002_clocks"
branch_labels = None
depends_on = None


def _digest(details) -> str:
    return hashlib.sha256(json.dumps(details, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=120), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_incident_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_case_id"), ["case_id"], unique=False)
    op.create_table(
        "audit_detail",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("redacted_by_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"], name=op.f("fk_audit_detail_event_id_audit_event")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_detail")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("chain_version", sa.Integer(), nullable=False, server_default="2"))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, details FROM audit_event")).fetchall()
    for event_id, details in rows:
        details = json.loads(details) if isinstance(details, str) else (details or {})
        conn.execute(sa.text("INSERT INTO audit_detail (event_id, details) VALUES (:i, :d)"),
                     {"i": event_id, "d": json.dumps(details)})
        conn.execute(sa.text("UPDATE audit_event SET details_hash = :h, chain_version = 1 WHERE id = :i"),
                     {"h": _digest(details), "i": event_id})
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.alter_column("details_hash", server_default=None)
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspended_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("redacted_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
    if conn.dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("suspended_at")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch_op.drop_column("chain_version")
        batch_op.drop_column("details_hash")
    op.drop_table("audit_detail")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_case_id"))
    op.drop_table("incident")
