"""gunicorn settings for production (`gunicorn -c deploy/gunicorn.conf.py app:app`)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# One line per request costs CPU on the hot path; nginx keeps no access log either (no
# visitor IPs on disk). GUNICORN_ACCESS_LOG=- turns it on, on stdout.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Never trust X-Forwarded-* in gunicorn itself: the app's TRUSTED_PROXIES decides (ProxyFix).
forwarded_allow_ips = ""


def child_exit(server, worker):  # noqa: ARG001 (gunicorn's hook signature)
    # With several workers, Prometheus metrics live in files per process; a dead worker's
    # gauges must stop counting.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):  # noqa: ARG001 (gunicorn's hook signature)
    # The app is loaded; organizer.serving says what is done once, and why.
    from organizer.serving import prepare_web_worker

    prepare_web_worker()
