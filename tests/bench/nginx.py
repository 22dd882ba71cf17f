"""nginx in front of gunicorn, as in deploy/nginx.conf: the same micro-cache for anonymous
readers of the public campaign page and count.json, without TLS, on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.services import ManagedProcess, free_port, wait_for

# Keep in step with the "Public pages" blocks of deploy/nginx.conf.
CACHED = """proxy_pass http://cahier_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_cache public_pages;
            proxy_cache_key $scheme$host$request_uri$cookie_cahier_lang$http_accept_language;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 404 1s;
            proxy_cache_bypass $cahier_signed_in;
            proxy_no_cache $cahier_signed_in;
            proxy_cache_lock on;
            add_header X-Cache $upstream_cache_status always;"""
CONFIG = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {log} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    upstream cahier_web {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=public_pages:10m max_size=200m
                     inactive=10m use_temp_path=off;
    map "$cookie_cahier_session$cookie_remember_token" $cahier_signed_in {{
        "" 0;
        default 1;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://cahier_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
        location ~ ^/c/[^/]+$ {{
            {common}
            # Readers of the page may get a copy a little older while one request renews it.
            proxy_cache_use_stale updating error timeout http_502 http_503;
            proxy_cache_background_update on;
        }}
        location ~ ^/c/[^/]+/count\\.json$ {{
            {common}
            # The count is never served older than its second while it is being renewed.
            proxy_cache_use_stale error timeout http_502 http_503;
            proxy_cache_lock_timeout 1s;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def start_nginx(workdir: Path, log_dir: Path, upstream_port: int) -> tuple[ManagedProcess, int]:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed; `make bench` installs it")
    directory = workdir / "nginx"
    directory.mkdir(exist_ok=True)
    # Its workers run as nobody when started by root: they must reach the cache directory.
    workdir.chmod(0o711)
    directory.chmod(0o777)
    port = free_port()
    conf = directory / "nginx.conf"
    error_log = log_dir / f"nginx-error-{port}.log"
    conf.write_text(CONFIG.format(dir=directory, log=error_log, upstream=upstream_port, port=port,
                                  common=CACHED))  # fmt: skip
    process = ManagedProcess("nginx", [binary, "-p", str(directory), "-c", str(conf)], {},
                             log_dir)  # fmt: skip
    process.start()

    def listening() -> bool:
        import socket

        if process.process is not None and process.process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{process.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    wait_for(listening, 20, what="nginx")
    return process, port
