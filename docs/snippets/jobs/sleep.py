"""Hold the job's resources for a while, doing nothing."""

import os
import time

time.sleep(float(os.environ.get("SECONDS_TO_SLEEP", "5")))
print("done")
