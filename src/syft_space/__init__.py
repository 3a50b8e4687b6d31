"""Syft Space: a self-hosted knowledge server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("syft-space")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
