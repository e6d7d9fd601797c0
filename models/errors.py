"""The errors whose message is written for the user, so the CLI and the GUI can show them as is.

They live in ``models/``, the lowest layer, so that models never import the reader core (the layers
run ui -> reader -> models); ``reader.errors`` re-exports them with the core's own errors.
"""


class ReaderError(Exception):
    """An error the user can act on; ``str(err)`` is one clear sentence (what failed, what to do)."""


class ModelError(ReaderError):
    """No usable translation package, or the package failed."""


class Cancelled(ReaderError):
    """The user cancelled a long operation; work finished before it is kept."""
