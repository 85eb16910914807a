"""The errors an expression can raise: each one sentence, syntax errors with a caret under the spot."""
from __future__ import annotations

from ..errors import ExplainerError
from ..i18n import _

# Syntax errors quote the offending line; very long lines are cut to this many characters
# either side of the column so that a 100,000-character expression gives a readable message.
_WINDOW = 40


class ExpressionError(ExplainerError):
    """A mistake in an expression; `line` and `column` (1-based) say where, when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class ExpressionSyntaxError(ExpressionError):
    """Text that is not in the notation: the sentence, then the source line with a caret under it."""

    def __init__(self, reason: str, text: str, offset: int):
        line, column, source = locate(text, offset)
        where = (_("line {line}, column {column}") if "\n" in text else _("column {column}")).format(line=line, column=column)
        self.reason = reason
        super().__init__(_("syntax error at {where}: {reason}").format(where=where, reason=reason)
                         + f"\n{_caret(source, column)}", line, column)


class UnknownNameError(ExpressionError):
    """A name that is neither a value, an assignment, a constant nor a function."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 name: str | None = None):
        super().__init__(message, line, column)
        self.name = name


class MissingValueError(UnknownNameError):
    """A name that looks like a variable the user forgot to give a value for."""


class ExpressionLimitError(ExpressionError):
    """The expression is larger or deeper than the configured limits allow."""


def locate(text: str, offset: int) -> tuple[int, int, str]:
    """(line, column, that line's text) of `offset`; line and column count from 1."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    source = text[start:] if end == -1 else text[start:end]
    return text.count("\n", 0, offset) + 1, offset - start + 1, source


def _caret(source: str, column: int) -> str:
    """The line (cut to a window around `column`) and a line with '^' under the column."""
    lo = max(0, column - 1 - _WINDOW)
    hi = column - 1 + _WINDOW
    shown = ("…" if lo else "") + source[lo:hi] + ("…" if hi < len(source) else "")
    before = ("…" if lo else "") + source[lo:column - 1]
    # keep tabs so the caret lines up under tabbed text
    pad = "".join("\t" if ch == "\t" else " " for ch in before)
    return f"  {shown}\n  {pad}^"
