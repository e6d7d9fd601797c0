"""One exception family whose message is written for the user, so the CLI and the GUI can show it as is.

The base class and the model errors come from ``models.errors`` (models never import the core).
"""

from models.errors import Cancelled, ModelError, ReaderError

__all__ = [
    "Cancelled",
    "DictionaryError",
    "ImportFailed",
    "ModelError",
    "ReaderError",
    "StoreError",
]


class ImportFailed(ReaderError):
    """A file could not be imported as an article."""


class StoreError(ReaderError):
    """The database could not be opened or written."""


class DictionaryError(ReaderError):
    """The dictionary is missing or unreadable; lookups are disabled, nothing else is."""
