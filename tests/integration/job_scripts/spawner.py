"""Start a child process that sleeps, print `pids <own pid> <child pid>`, then sleep quietly."""

from __future__ import annotations

import os
import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(f"pids {os.getpid()} {child.pid}", flush=True)
time.sleep(600)
