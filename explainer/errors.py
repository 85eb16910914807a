"""The one exception type a user ever sees: a clear sentence, no traceback."""


class ExplainerError(Exception):
    """A mistake in what the user gave us (text, values, files). The CLI prints it and exits 2."""

    exit_code = 2


class ExplainerMathError(ExplainerError):
    """The arithmetic itself is undefined: log of a negative number, division by zero, overflow."""
