"""Print a numbered line each second: a job whose output is easy to follow."""

import os
import time

steps = int(os.environ.get("STEPS", "3"))
print(f"counting to {steps}")
for step in range(1, steps + 1):
    time.sleep(1)
    print(f"step {step}")
