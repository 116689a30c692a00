import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sochen.db.migrate import current_revision, downgrade, head_revision, upgrade
from sochen.db.models import Base
from sochen.db.session import get_engine


def test_upgrade_downgrade_upgrade(any_database_url):
    url = any_database_url
    upgrade(url)
    assert current_revision(url) == head_revision(url)
    downgrade(url, "base")
    assert current_revision(url) is None
    tables = set(inspect(get_engine(url)).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(url)
    assert current_revision(url) == head_revision(url)


def test_models_and_migrations_agree(any_database_url):
    url = any_database_url
    upgrade(url)
    with get_engine(url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


@pytest.mark.unit
def test_tenant_versions_increment(any_database_url):
    from sochen.db.session import session_scope
    from sochen.db.tenants import latest_version, list_tenants, store_version

    upgrade(any_database_url)
    for i in range(3):
        with session_scope(any_database_url) as s:
            v = store_version(
                s, slug="clinic", name="מרפאה", config={"i": i}, digest=str(i), source_text="", source_path=None
            )
            assert v.version == i + 1
    with session_scope(any_database_url) as s:
        assert latest_version(s, "clinic").config == {"i": 2}
        assert [t.slug for t in list_tenants(s)] == ["clinic"]
