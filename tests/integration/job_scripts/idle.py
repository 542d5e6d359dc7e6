"""Print `ready`, then sleep for up to 10 minutes without any output."""

from __future__ import annotations

import time

print("ready", flush=True)
time.sleep(600)
