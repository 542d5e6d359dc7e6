"""Hold the allocated GPUs for HOLD_SECONDS and print when the hold began and ended.

Output: `start <unix time> <CUDA_VISIBLE_DEVICES> <gpu type>`, then `end <unix time>`.
"""

from __future__ import annotations

import os
import time

hold = float(os.environ.get("HOLD_SECONDS", "2"))
devices = os.environ.get("CUDA_VISIBLE_DEVICES", "")
gpu_type = os.environ.get("ML_PLATFORM_GPU_TYPE", "")
print(f"start {time.time():.6f} {devices} {gpu_type}", flush=True)
time.sleep(hold)
print(f"end {time.time():.6f}", flush=True)
