"""Print a line, report a metric point, then sleep 2 s so that a cancel can still catch it."""

from __future__ import annotations

import datetime
import json
import os
import time

print("brief job started", flush=True)
metrics_file = os.environ.get("ML_PLATFORM_METRICS_FILE")
if metrics_file:
    timestamp = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    point = {"timestamp": timestamp, "epoch": 1, "values": {"loss": 0.25}}
    with open(metrics_file, "a", encoding="utf-8") as out:
        out.write(json.dumps(point) + "\n")
time.sleep(2)
print("brief job done", flush=True)
