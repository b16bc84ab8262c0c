"""The version the server reports (banner, ``GET /__admin/health``): the installed package's."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["VERSION"]

try:
    VERSION = version("loyapro-mock")
except PackageNotFoundError:  # running from a checkout that is not installed
    VERSION = "0.0.0"
