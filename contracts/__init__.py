"""Certification of a POS's LoyaPro integration.

Requirements from LoyaPro's POS documentation (:mod:`contracts.requirements`) are graded by
checks registered by name (:mod:`contracts.registry`): inbound checks read what the POS sent
to the mock (:mod:`contracts.inbound`), outbound checks read what the POS's own API answered
(:mod:`contracts.outbound`). Findings become reports (:mod:`contracts.reports`). A correct
reference POS (:mod:`contracts.reference_pos`, :mod:`contracts.driver`) is the yardstick.
"""

from loyapro_mock.contracts.findings import Evidence, Finding, Outcome, Report, SignOff, Verdict
from loyapro_mock.contracts.registry import CheckSpec, DuplicateCheckError, Registry
from loyapro_mock.contracts.requirements import REQUIREMENTS, Requirement

__all__ = [
    "REQUIREMENTS",
    "CheckSpec",
    "DuplicateCheckError",
    "Evidence",
    "Finding",
    "Outcome",
    "Registry",
    "Report",
    "Requirement",
    "SignOff",
    "Verdict",
]
