"""Typed errors that carry a message a clinician can act on.

Every error says what happened, what was kept safe, and what to do next. The command
line prints ``str(error)``; the window shows it in a dialog. Never a traceback.
"""


class MedSnapError(Exception):
    """Base for every error MedSnap reports to a person."""

    #: process exit code used by the command line for this kind of error
    exit_code = 3

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImageError(MedSnapError):
    """A source image could not be read (corrupt, truncated, unsupported, too large)."""

    exit_code = 3


class SanitizeError(MedSnapError):
    """An exported image failed the metadata verifier and was not written."""

    exit_code = 4


class ExportError(MedSnapError):
    """The clean image could not be written to its destination."""

    exit_code = 5


class DocumentError(MedSnapError):
    """A document (draft) or an edit is invalid."""

    exit_code = 3


class UsageError(MedSnapError):
    """A command-line argument is wrong in a way only known after reading the input."""

    exit_code = 2


class CryptoError(MedSnapError):
    """Base for encryption, signing and key errors."""

    exit_code = 6
