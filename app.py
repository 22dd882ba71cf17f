"""WSGI entry point for gunicorn and `flask --app app`."""

from organizer import create_app

app = create_app()
