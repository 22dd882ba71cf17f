"""Celery: the app factory glue, the task base class, and thin task wrappers per domain."""
