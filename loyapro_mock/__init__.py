"""loyapro-mock: a mock LoyaPro server and certification harness for POS integrations.

One import root: `loyapro_mock.openapi` (the contract), `loyapro_mock.mockserver` (the mock),
`loyapro_mock.contracts` (certification), `loyapro_mock.fixtures` (test data) and
`loyapro_mock.cli` (the command line, which only wires them). Importing this package
imports none of them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("loyapro-mock")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
