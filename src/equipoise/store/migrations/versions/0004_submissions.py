"""submissions and their jobs (the queue's truth), and hidden model entries

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("identity", sa.String(length=32), nullable=False),
        sa.Column("api_key", sa.Text(), nullable=True),
        sa.Column("suites", sa.JSON(), nullable=False),
        sa.Column("releases", sa.JSON(), nullable=False),
        sa.Column("missing_tasks", sa.JSON(), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=True),
        sa.Column("submitter", sa.String(length=300), nullable=False),
        sa.Column("client_ip", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_identity", ["identity"], unique=False)
        batch_op.create_index("ix_submissions_submitter_created", ["submitter", "created"], unique=False)
        batch_op.create_index("ix_submissions_client_ip_created", ["client_ip", "created"], unique=False)
    op.create_table(
        "submission_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("suite", sa.String(length=100), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("submission_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_submission_jobs_submission_id", ["submission_id"], unique=False)
        batch_op.create_index("ix_submission_jobs_status_not_before", ["status", "not_before"], unique=False)


def downgrade() -> None:
    op.drop_table("submission_jobs")
    op.drop_table("submissions")
    with op.batch_alter_table("model_entries", schema=None) as batch_op:
        batch_op.drop_column("hidden")
