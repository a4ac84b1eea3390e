"""Errors whose messages are safe to show to a user as one line.

The engine raises these; the CLI and the Discord layer turn them into a short message.
Anything that is not a TalksError is a bug: it is logged in full and the user sees a generic line.

An error about a question is shown in the asker's language, which the code raising it often does
not know (a date filter is read before the question is): such an error is raised with a message
of the catalogue and its values named, `BadInput(N_("… {limit} …"), limit=300)`, and the front
door, which knows the language, tells it with `err.told(language)`.
"""

from bot.i18n import tr


class TalksError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence (in English)."""

    def __init__(self, message: str = "", /, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message, self.values = message, values

    def told(self, language: str) -> str:
        """The sentence in `language` when its message is in the catalogue; else as raised."""
        return tr(language, self.message, **self.values)


class BadInput(TalksError):
    """The user gave something we cannot use (empty question, malformed article, bad URL)."""


class NotAllowed(TalksError):
    """The caller lacks the permission the action needs."""


class IndexMissing(TalksError):
    """No index has been built yet."""


class IndexMismatch(TalksError):
    """The index on disk was built with another model or format."""


class Busy(TalksError):
    """Another write (re-index, add, remove) is already running."""


class FetchError(BadInput):
    """A URL could not be fetched or is not allowed."""


class SchemaError(TalksError):
    """The database has no talks schema, or another version than this talks needs."""


class ConfigError(TalksError):
    """A setting has an invalid value."""


class DatabaseError(TalksError):
    """The database refused, cancelled or lost a request; the message says which and what to do."""


class Retryable(DatabaseError):
    """A read cut short by a passing cause: its connection was lost (a server restart) or another
    generation went live between the check and the read. The same read, run again on a fresh
    connection and the live generation, will most likely succeed; the engine retries once."""
