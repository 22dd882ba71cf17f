"""A web worker as granian starts it: deploy/wsgi.py prepares it before its first request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = """
import gc, json, sys
__import__(sys.argv[1])
from organizer.db import Base
print(json.dumps({
    "configured": all(mapper.configured for mapper in Base.registry.mappers),
    "frozen": gc.get_freeze_count(),
    "young_every": gc.get_threshold()[0],
}))
"""


def _worker_state(module: str, tmp_path: Path) -> dict[str, object]:
    # A fresh interpreter: in this one, earlier tests have long configured the mappers.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "CAHIER_INSTANCE_PATH": str(tmp_path / "instance")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", REPORT, module], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_granian_worker_configures_the_mappers_and_freezes_the_app_before_serving(tmp_path):
    from organizer.serving import YOUNG_COLLECTION_EVERY

    prepared = _worker_state("deploy.wsgi", tmp_path)
    assert prepared == {"configured": True, "frozen": prepared["frozen"],
                        "young_every": YOUNG_COLLECTION_EVERY}  # fmt: skip
    assert isinstance(prepared["frozen"], int) and prepared["frozen"] > 100_000
    # The app alone (flask --app app, the tests' gunicorn before its hook) leaves all three
    # to the first request.
    bare = _worker_state("app", tmp_path)
    assert bare["configured"] is False
    assert bare["frozen"] == 0
    assert bare["young_every"] != YOUNG_COLLECTION_EVERY
