"""The CSV export of one campaign, in a process of its own so that its peak RSS is its own.

Run: python -m tests.bench.export_child SLUG  (prints one JSON line)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    from organizer import create_app
    from organizer.campaigns import services
    from organizer.signatures.export import csv_chunks

    app = create_app()
    with app.app_context():
        campaign = services.get_by_slug(sys.argv[1])
        assert campaign is not None
        before = _kib("VmRSS")
        started = time.perf_counter()
        lines = size = 0
        for chunk in csv_chunks(campaign):
            # The bench's values hold no line breaks: one per row, and one for the header.
            lines += chunk.count(b"\n")
            size += len(chunk)
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": lines - 1,
                "bytes": size,
                "seconds": round(seconds, 2),
                "rows_per_s": round((lines - 1) / seconds),
                "rss_before_export_mb": round(before / 1024, 1),
                "peak_rss_mb": round(_kib("VmHWM") / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
