"""End-to-end tests against real reference servers on loopback ports."""
