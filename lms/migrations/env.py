from __future__ import annotations

from alembic import context
from sqlalchemy import inspect, text

from lms.db import db, metadata
from lms.migrations import VERSION_TABLE, lms_tables_only

config = context.config
app = config.attributes["flask_app"]


with app.app_context():
    import lms.blueprints  # noqa: F401  (imports every capability's models)

    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it; with foreign keys enforced, dropping the
            # old copy would cascade into the tables that refer to it. Checked again below.
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table=VERSION_TABLE,
                include_object=lms_tables_only,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    existing = set(inspect(connection).get_table_names())
                    broken = [
                        row
                        for table in metadata.tables
                        if table in existing
                        for row in connection.execute(text(f'PRAGMA foreign_key_check("{table}")'))
                    ]
                    if broken:
                        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA foreign_keys={int(bool(foreign_keys))}")
