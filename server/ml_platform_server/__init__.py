"""Reference server of the ML Platform API; run it with ``mlp-server``."""
