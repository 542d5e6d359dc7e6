"""The ``mlp`` command line for the ML Platform training API.

The console script is :func:`mlp_cli.main.main`. Every command calls the ``ml_platform`` SDK and
imports it, and anything heavy it needs, only when the command runs, so help and ``--version``
start fast.
"""
