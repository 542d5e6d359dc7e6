"""Print one JSON line describing the process the platform started, then exit 0."""

from __future__ import annotations

import json
import os

hyperparameters_file = os.environ.get("ML_PLATFORM_HYPERPARAMETERS_FILE")
hyperparameters = None
if hyperparameters_file:
    with open(hyperparameters_file, encoding="utf-8") as source:
        hyperparameters = json.load(source)

facts = {
    "pid": os.getpid(),
    "ppid": os.getppid(),
    "sid": os.getsid(0),
    "pgid": os.getpgrp(),
    "cwd": os.getcwd(),
    "files": sorted(os.listdir(".")),
    "environment": dict(os.environ),
    "hyperparameters": hyperparameters,
}
print("PROBE " + json.dumps(facts, sort_keys=True), flush=True)
