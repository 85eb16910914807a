"""The tokenizer: text → a list of `Token`s, one regular expression match at a time.

Textbook spellings are normalised here so the parser sees one vocabulary: `·`, `×`, `⋅` are `*`,
`−` is `-`, `÷` is `/`, `**` is `^`, and superscripts `x²`, `x⁻¹` become `^ 2`, `^ -1`. The
function symbols the formula printer writes are read back too: `√x` is `sqrt x`, and `σ(` is
`sigmoid(` (a `σ` not followed by `(` stays a variable, as in `σ = 2`).
Newlines separate statements except inside parentheses; `#` starts a comment.
Anything else (quotes, dots after names, brackets, colons…) is a syntax error at its column.
"""
from __future__ import annotations
from explainer.i18n import N_, _

import math
import re
from typing import Iterator, NamedTuple

from .errors import ExpressionSyntaxError

NUMBER, NAME, OP, NEWLINE, END = "number", "name", "op", "newline", "end"

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_ASCII = str.maketrans(_SUPERSCRIPTS + "⁻⁺", "0123456789-+")
_OPERATORS = {"**": "^", "·": "*", "×": "*", "⋅": "*", "−": "-", "÷": "/"}

# `5e^x` is 5·e^x: an exponent needs digits right after the `e` (and an optional sign).
_NUMBER = r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# A name starts with a letter (π, θ welcome; never `_` or a digit) and goes on with letters,
# ASCII digits, subscripts and `_` — but not superscripts, which are powers.
NAME_PATTERN = rf"[^\W\d_](?:(?![{_SUPERSCRIPTS}])[^\W\d]|[0-9])*"
_TOKEN = re.compile(
    rf"(?P<space>[^\S\n]+|\#[^\n]*)"
    rf"|(?P<number>{_NUMBER})"
    rf"|(?P<super>[⁻⁺]?[{_SUPERSCRIPTS}]+)"  # before names: `²` counts as a word character
    rf"|(?P<sigma>σ(?=[^\S\n]*\())"           # σ(z) is sigmoid(z), the printer's spelling
    rf"|(?P<name>{NAME_PATTERN})"
    rf"|(?P<op>\*\*|[-+*/^@()=;,·×⋅−÷])"
    rf"|(?P<newline>\n)"
)

_HINTS = {
    ".": N_(" (attribute access is not part of the notation)"),
    "[": N_(" (brackets are only for array values given with --at)"),
    "'": N_(" (the notation has no strings)"),
    '"': N_(" (the notation has no strings)"),
    "_": N_(" (names start with a letter)"),
}


class Token(NamedTuple):
    kind: str
    text: str       # the normalised text: "*" for "·", "^" for "**"
    start: int      # offsets into the source, end exclusive
    end: int
    line: int       # 1-based, of `start`
    column: int
    value: float = 0.0   # for numbers

    def describe(self) -> str:
        if self.kind == END:
            return _("end of expression")
        if self.kind == NEWLINE:
            return _("end of line")
        if self.kind == NUMBER:
            return _("number {text!r}").format(text=self.text)
        return repr(self.text)


# Function symbols: the text the parser sees for each (see printer.py, which writes them).
FUNCTION_SYMBOLS = {"√": "sqrt", "σ": "sigmoid"}

# One-character operators skip the regular expression: the common case, and a fast one
# ("*" only when no second "*" follows).
_SINGLE = {ch: _OPERATORS.get(ch, ch) for ch in "+-*/^@()=;,·×⋅−÷"}


def tokenize(text: str) -> Iterator[Token]:
    """Tokens one at a time, so a mistake early in a long text is reported without reading the
    rest; after the text, END forever."""
    depth = 0  # open parentheses: a newline inside them continues the statement
    line, line_start = 1, 0
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        op = _SINGLE.get(text[pos])
        if text[pos] == "√":
            yield Token(NAME, "sqrt", pos, pos + 1, line, pos - line_start + 1)
            pos += 1
            continue
        if op is not None and not (op == "*" and text.startswith("**", pos)):
            depth += op == "("
            depth -= op == ")" and depth > 0
            yield Token(OP, op, pos, pos + 1, line, pos - line_start + 1)
            pos += 1
            continue
        m = match(text, pos)
        if m is None:
            _unexpected_character(text, pos)
        kind, end = m.lastgroup, m.end()
        piece = m.group()
        at = (line, pos - line_start + 1)
        if kind == "number":
            if end < n and text[end] == ".":
                raise ExpressionSyntaxError(_("unexpected '.' after the number {piece!r}").format(piece=piece), text, end)
            value = float(piece)
            if math.isinf(value):
                raise ExpressionSyntaxError(_("number {piece!r} is too large for a 64-bit float").format(piece=piece), text, pos)
            yield Token(NUMBER, piece, pos, end, *at, value)
        elif kind == "name":
            yield Token(NAME, piece, pos, end, *at)
        elif kind == "sigma":
            yield Token(NAME, FUNCTION_SYMBOLS[piece], pos, end, *at)
        elif kind == "super":
            exponent = piece.translate(_SUPER_TO_ASCII)
            yield Token(OP, "^", pos, pos, *at)
            if exponent[0] in "+-":
                yield Token(OP, exponent[0], pos, pos + 1, *at)
                exponent = exponent[1:]
            digits_at = end - len(exponent)
            yield Token(NUMBER, exponent, digits_at, end, line, digits_at - line_start + 1,
                        float(exponent))
        elif kind == "op":
            op = _OPERATORS.get(piece, piece)
            depth += op == "("
            depth -= op == ")" and depth > 0
            yield Token(OP, op, pos, end, *at)
        elif kind == "newline":
            if depth == 0:
                yield Token(NEWLINE, "\n", pos, end, *at)
            line, line_start = line + 1, end
        pos = end
    end_token = Token(END, "", n, n, line, n - line_start + 1)
    while True:
        yield end_token


def _unexpected_character(text: str, pos: int):
    ch = text[pos]
    hint = _(_HINTS[ch]) if ch in _HINTS else ""
    if ch == "." and not (pos and (text[pos - 1].isalnum() or text[pos - 1] in "_)")):
        hint = ""   # a lone dot, not `a.b`
    raise ExpressionSyntaxError(_("unexpected character {ch!r}{hint}").format(ch=ch, hint=hint), text, pos)
