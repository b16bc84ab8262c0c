"""Defaults shared by the certification's entry points, kept free of heavy imports.

The command line and the pytest plugin show them in their help; importing
`contracts.outbound` for one number would load schemathesis on every start.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_EXAMPLES"]

#: schemathesis requests per operation and mode (positive, negative) in outbound grading.
DEFAULT_MAX_EXAMPLES = 10
