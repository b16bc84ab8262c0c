"""loyapro-mock: a mock LoyaPro server and certification harness for POS integrations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("loyapro-mock")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
