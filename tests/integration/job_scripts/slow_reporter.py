"""Print a numbered line and report a metric point every 0.2 s for about two minutes.

The first line is `pid <pid>`. Writes to a closed stdout are ignored so that the
process outlives a crashed server, as an orphaned training process would.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import time


def emit(text: str) -> None:
    with contextlib.suppress(OSError):
        print(text, flush=True)


emit(f"pid {os.getpid()}")
metrics_file = os.environ["ML_PLATFORM_METRICS_FILE"]
for epoch in range(1, 601):
    emit(f"line {epoch}")
    timestamp = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    point = {"timestamp": timestamp, "epoch": epoch, "values": {"loss": 1.0 / epoch}}
    with open(metrics_file, "a", encoding="utf-8") as out:
        out.write(json.dumps(point) + "\n")
    time.sleep(0.2)
