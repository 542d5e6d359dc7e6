"""Fail the way a broken training script does: an error on stderr and exit status 1."""

import sys

print("loading data")
print("error: data/train.csv not found", file=sys.stderr)
sys.exit(1)
