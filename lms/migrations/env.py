from __future__ import annotations

from alembic import context

from lms.db import db
from lms.migrations import VERSION_TABLE, include_object

config = context.config
app = config.attributes["flask_app"]


with app.app_context():
    import lms.blueprints  # noqa: F401  (imports every capability's models)

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
