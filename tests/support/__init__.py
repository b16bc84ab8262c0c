"""Helpers shared by the test areas (domain, server, hardening, contracts, fixtures).

Imported as ``support``: the test tree's root, ``tests/``, is on ``sys.path`` (pyproject's
``pythonpath``). What only one area uses lives in that area (``server/support.py``,
``hardening/support.py``, ``domain/factories.py``); fixtures live in the conftests.
"""
