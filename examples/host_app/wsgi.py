"""The cooperative's site, for ``flask --app wsgi ...`` and ``gunicorn wsgi:app``."""

from host_app import create_app

app = create_app()
