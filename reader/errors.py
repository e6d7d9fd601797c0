"""One exception family whose message is written for the user, so the CLI and the GUI can show it as is."""


class ReaderError(Exception):
    """An error the user can act on; ``str(err)`` is one clear sentence (what failed, what to do)."""


class ImportFailed(ReaderError):
    """A file could not be imported as an article."""


class StoreError(ReaderError):
    """The database could not be opened or written."""


class ModelError(ReaderError):
    """No usable translation package, or the package failed."""


class Cancelled(ReaderError):
    """The user cancelled a long operation; work finished before it is kept."""


class DictionaryError(ReaderError):
    """The dictionary is missing or unreadable; lookups are disabled, nothing else is."""
