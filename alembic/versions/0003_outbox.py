"""outbox: domain events, connector jobs, their dependencies and attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('domain_events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('tenant', sa.String(length=63), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domain_events')),
    sa.UniqueConstraint('key', name=op.f('uq_domain_events_key'))
    )
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.create_index('ix_domain_events_tenant_created', ['tenant', 'created_at'], unique=False)

    op.create_table('outbox_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('tenant', sa.String(length=63), nullable=False),
    sa.Column('event_id', sa.String(length=32), nullable=True),
    sa.Column('rule', sa.String(length=200), nullable=True),
    sa.Column('step', sa.String(length=63), nullable=True),
    sa.Column('action', sa.String(length=128), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('deferred', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('plan_error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['domain_events.id'], name=op.f('fk_outbox_jobs_event_id_domain_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_jobs')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_jobs_key'))
    )
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_outbox_jobs_status_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_jobs_tenant_status', ['tenant', 'status'], unique=False)

    op.create_table('outbox_job_attempts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('retry_after', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['outbox_jobs.id'], name=op.f('fk_outbox_job_attempts_job_id_outbox_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_job_attempts')),
    sa.UniqueConstraint('job_id', 'number', name=op.f('uq_outbox_job_attempts_job_id'))
    )
    with op.batch_alter_table('outbox_job_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_job_attempts_job_id'), ['job_id'], unique=False)

    op.create_table('outbox_job_dependencies',
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('depends_on_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['depends_on_id'], ['outbox_jobs.id'], name=op.f('fk_outbox_job_dependencies_depends_on_id_outbox_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['outbox_jobs.id'], name=op.f('fk_outbox_job_dependencies_job_id_outbox_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'depends_on_id', name=op.f('pk_outbox_job_dependencies'))
    )
    with op.batch_alter_table('outbox_job_dependencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_job_dependencies_depends_on_id'), ['depends_on_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_job_dependencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_job_dependencies_depends_on_id'))

    op.drop_table('outbox_job_dependencies')
    with op.batch_alter_table('outbox_job_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_job_attempts_job_id'))

    op.drop_table('outbox_job_attempts')
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_jobs_tenant_status')
        batch_op.drop_index('ix_outbox_jobs_status_due')
        batch_op.drop_index(batch_op.f('ix_outbox_jobs_event_id'))

    op.drop_table('outbox_jobs')
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_events_tenant_created')

    op.drop_table('domain_events')
