"""work groups as data: groups and memberships; roles keep only rights

Groups were a fixed list of roles (coordinator, officer, referee, committee).
They become ``work_group`` rows with Swedish and English titles, a referral-
department flag and a retirement date; users join them through
``group_membership``. Every user's former group roles become memberships, and
``roles_csv`` keeps only the rights (applicant, process_owner, admin, manager).
A deployed version records which group each of its lanes names
(``process_version.properties``); versions deployed before stay routed by lane
name.

Revision ID: 0006_groups
Revises: 0005_audit_checkpoints
"""
from datetime import datetime, UTC

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0006_groups"
down_revision = "0005_audit_checkpoints"
branch_labels = None
depends_on = None

#: (name, title_sv, title_en) of the groups that were roles; "referee" only if someone held it.
FORMER_GROUPS = [
    ("coordinator", "Byggkoordinator", "Coordinator"),
    ("officer", "Handläggare", "Case officer"),
    ("committee", "Nämndsekreterare", "Committee secretary"),
    ("referee", "Remissinstans", "Referee"),
]
RIGHTS = {"applicant", "process_owner", "admin", "manager"}


def _create_tables() -> None:
    op.create_table(
        "work_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title_sv", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("referral_department", sa.Boolean(), nullable=False),
        sa.Column("retired_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_group")),
        sa.UniqueConstraint("name", name=op.f("uq_work_group_name")),
    )
    op.create_table(
        "group_membership",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["work_group.id"], name=op.f("fk_group_membership_group_id_work_group"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_group_membership_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_membership")),
    )
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_membership_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("properties", sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE process_version SET properties = '{}'"))
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.alter_column("properties", existing_type=sa.JSON(), nullable=False)


def upgrade() -> None:
    _create_tables()
    conn = op.get_bind()
    users = conn.execute(sa.text("SELECT id, roles_csv FROM user_account")).fetchall()
    held = {r for _, csv in users for r in (csv or "").split(",") if r}
    now = datetime.now(UTC)
    group_ids = {}
    for name, title_sv, title_en in FORMER_GROUPS:
        if name == "referee" and name not in held:
            continue
        group_ids[name] = conn.execute(
            sa.text("INSERT INTO work_group (name, title_sv, title_en, referral_department, created_at) "
                    "VALUES (:n, :sv, :en, :ref, :at) RETURNING id"),
            {"n": name, "sv": title_sv, "en": title_en, "ref": False,
             "at": now.replace(tzinfo=None) if conn.dialect.name == "sqlite" else now}).scalar_one()
    for user_id, csv in users:
        roles = [r for r in (csv or "").split(",") if r]
        for role in roles:
            if role in group_ids:
                conn.execute(sa.text("INSERT INTO group_membership (group_id, user_id) VALUES (:g, :u)"),
                             {"g": group_ids[role], "u": user_id})
        conn.execute(sa.text("UPDATE user_account SET roles_csv = :r WHERE id = :i"),
                     {"r": ",".join(sorted(r for r in roles if r in RIGHTS)), "i": user_id})


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT u.id, u.roles_csv, g.name FROM user_account u JOIN group_membership m ON m.user_id = u.id "
        "JOIN work_group g ON g.id = m.group_id")).fetchall()
    roles: dict[int, set[str]] = {}
    for user_id, csv, name in rows:
        roles.setdefault(user_id, {r for r in (csv or "").split(",") if r}).add(name)
    for user_id, names in roles.items():
        conn.execute(sa.text("UPDATE user_account SET roles_csv = :r WHERE id = :i"),
                     {"r": ",".join(sorted(names))[:200], "i": user_id})
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_column("properties")
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_membership_user_id"))
    op.drop_table("group_membership")
    op.drop_table("work_group")
