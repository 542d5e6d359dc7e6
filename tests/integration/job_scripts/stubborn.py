"""Ignore SIGTERM, print `ready <pid>`, then sleep, so that only SIGKILL ends the process."""

from __future__ import annotations

import os
import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(f"ready {os.getpid()}", flush=True)
time.sleep(600)
