"""Print one line to stdout and one to stderr, then exit with status 3."""

from __future__ import annotations

import sys

print("about to fail", flush=True)
print("failure details on stderr", file=sys.stderr, flush=True)
sys.exit(3)
