"""The parser: tokens → `Program`, by precedence climbing (a Pratt parser). Never eval.

Binding powers, loosest first:
    +  -                       10   left-associative
    *  /  @  and implicit `2x` 20   left-associative
    unary - +                  25   -x^2 = -(x^2), -a*b = (-a)*b
    sin x (no parentheses)     30   sin x^2 = sin(x^2), sin x y = sin(x)·y
    ^  (and **, superscripts)  40   right-associative; its right side may be signed: e^-x

Left-associative chains (a+a+…+a) are loops; only genuine nesting (parentheses, powers, signs,
calls) recurses, and that depth is counted and limited, so no RecursionError can escape.
"""
from __future__ import annotations
from explainer.i18n import gettext

from . import limits
from .errors import ExpressionError, ExpressionLimitError, ExpressionSyntaxError
from .functions import FUNCTIONS
from collections import deque

from .tokens import END, NAME, NEWLINE, NUMBER, OP, Token, tokenize
from .tree import Binary, Call, Expr, Group, Name, Number, Program, Statement, Unary

_INFIX = {"+": 10, "-": 10, "*": 20, "/": 20, "@": 20, "^": 40}
_IMPLICIT = 20
_SIGN_OPERAND = 25
_FUNCTION_OPERAND = 30
_POWER_RIGHT = 39   # one below "^" itself: right-associative


def parse(text: str, *, max_length: int | None = None, max_depth: int | None = None,
          max_statements: int | None = None, max_exponent: float | None = None) -> Program:
    """Statements separated by ';' or newlines: `name = expr` or a bare expr (the last is the output).
    The limits default to limits.py's values."""
    max_length = limits.MAX_LENGTH if max_length is None else max_length
    if len(text) > max_length:
        raise ExpressionLimitError(
            gettext("the expression is {length:,} characters long; the limit is {max_length:,} (max_length)").format(length=len(text), max_length=max_length))
    parser = _Parser(text, limits.MAX_DEPTH if max_depth is None else max_depth,
                     limits.MAX_EXPONENT if max_exponent is None else max_exponent)
    try:
        return parser.program(limits.MAX_STATEMENTS if max_statements is None else max_statements)
    except RecursionError:
        # only reachable when max_depth is set above what Python's own stack allows
        raise ExpressionLimitError(gettext("the expression nests too deeply for Python's recursion limit; lower max_depth")) from None


def _plain(limit: float) -> str:
    """1e6 → '1,000,000': a limit written the way the user would count it."""
    return f"{limit:,.0f}" if abs(limit) < 1e16 else f"{limit:g}"


class _Parser:
    def __init__(self, text: str, max_depth: int, max_exponent: float):
        self.text = text
        self.max_exponent = max_exponent
        self.tokens = tokenize(text)
        self.ahead: deque[Token] = deque()   # tokens read but not consumed
        self.last: Token | None = None       # the token consumed last
        self.max_depth = max_depth
        self.depth = -1           # the statement's own expression is level 0
        self.open: list[Token] = []   # '(' not yet closed, innermost last

    # -- token helpers ---------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        while len(self.ahead) <= k:
            self.ahead.append(next(self.tokens))
        return self.ahead[k]

    def advance(self) -> Token:
        self.last = self.peek()
        return self.ahead.popleft()

    def is_op(self, tok: Token, text: str) -> bool:
        return tok.kind == OP and tok.text == text

    def fail(self, reason: str, tok: Token):
        raise ExpressionSyntaxError(reason, self.text, tok.start)

    def unexpected(self, tok: Token):
        if tok.kind == END and self.open:
            self.fail(gettext("'(' is never closed"), self.open[-1])
        if tok.kind == END:
            self.fail(gettext("the expression ends too early"), tok)
        if tok.kind == NUMBER:
            self.fail(gettext("unexpected number {tok_text!r} (write '*' to multiply numbers)").format(tok_text=tok.text), tok)
        if self.is_op(tok, "="):
            self.fail(gettext("unexpected '=' (assign with `name = expression` at the start of a statement)"), tok)
        self.fail(gettext("unexpected {tok_describe}").format(tok_describe=tok.describe()), tok)

    # -- statements ------------------------------------------------------------------------------
    def program(self, max_statements: int) -> Program:
        statements: list[Statement] = []
        while True:
            tok = self.peek()
            if tok.kind == END:
                break
            if tok.kind == NEWLINE or self.is_op(tok, ";"):
                self.advance()
                continue
            if len(statements) >= max_statements:
                raise ExpressionLimitError(
                    gettext("the expression has more than {max_statements:,} statements (max_statements)").format(max_statements=max_statements),
                    tok.line, tok.column)
            statements.append(self.statement())
            tok = self.peek()
            if not (tok.kind in (END, NEWLINE) or self.is_op(tok, ";")):
                self.unexpected(tok)
        if not statements:
            raise ExpressionError(gettext("the expression is empty; write one such as J = 3(a + bc)"))
        return Program(self.text, statements)

    def statement(self) -> Statement:
        tok = self.peek()
        if tok.kind == NAME and self.is_op(self.peek(1), "="):
            if tok.text in FUNCTIONS:
                self.fail(gettext("cannot assign to {tok_text!r}: it is a function").format(tok_text=tok.text), tok)
            self.advance()
            self.advance()
            target = Name(tok.start, tok.end, tok.line, tok.column, tok.text)
            return Statement(target, self.expression(0))
        return Statement(None, self.expression(0))

    # -- expressions -----------------------------------------------------------------------------
    def expression(self, rbp: int) -> Expr:
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                tok = self.peek()
                raise ExpressionLimitError(
                    gettext("the expression nests more than {max_depth} levels deep at column {tok_column} (parentheses, powers, signs and calls count; max_depth)").format(max_depth=self.max_depth, tok_column=tok.column),
                    tok.line, tok.column)
            left = self.prefix(self.advance())
            while True:
                tok = self.peek()
                if tok.kind == OP and tok.text in _INFIX:
                    lbp = _INFIX[tok.text]
                    if lbp <= rbp:
                        break
                    self.advance()
                    right = self.expression(_POWER_RIGHT if tok.text == "^" else lbp)
                    if tok.text == "^":
                        self.check_exponent(right)
                    left = Binary(left.start, right.end, left.line, left.column, tok.text, left, right)
                elif tok.kind == NAME or self.is_op(tok, "("):
                    if _IMPLICIT <= rbp:
                        break
                    right = self.expression(_IMPLICIT)
                    left = Binary(left.start, right.end, left.line, left.column, "*", left, right, True)
                else:
                    break
            return left
        finally:
            self.depth -= 1

    def check_exponent(self, exponent: Expr) -> None:
        """A constant exponent (`2`, `-3`, `(1e9)`, `-(1e9)`) must stay within max_exponent."""
        inner = exponent
        while isinstance(inner, (Group, Unary)):
            inner = inner.inner if isinstance(inner, Group) else inner.operand
        if isinstance(inner, Number) and not abs(inner.value) <= self.max_exponent:
            raise ExpressionLimitError(
                gettext("the exponent {exponent_end} at column {exponent_column} is larger than the limit of {plain_max_exponent} (max_exponent)").format(exponent_end=self.text[exponent.start:exponent.end].strip()[:40], exponent_column=exponent.column, plain_max_exponent=_plain(self.max_exponent)),
                exponent.line, exponent.column)

    def prefix(self, tok: Token) -> Expr:
        """What can start an operand: a number, a name, a call, '(', or a sign."""
        if tok.kind == NUMBER:
            return Number(tok.start, tok.end, tok.line, tok.column, tok.value)
        if tok.kind == NAME:
            if tok.text in FUNCTIONS:
                return self.call(tok)
            return Name(tok.start, tok.end, tok.line, tok.column, tok.text)
        if self.is_op(tok, "("):
            inner = self.enclosed(tok)
            return Group(tok.start, self.last.end, tok.line, tok.column, inner)
        if self.is_op(tok, "-") or self.is_op(tok, "+"):
            operand = self.expression(_SIGN_OPERAND)
            if isinstance(operand, Number):   # -3 is the constant -3, not neg(3)
                sign = -1.0 if tok.text == "-" else 1.0
                return Number(tok.start, operand.end, tok.line, tok.column, sign * operand.value)
            return Unary(tok.start, operand.end, tok.line, tok.column, tok.text, operand)
        self.unexpected(tok)

    def enclosed(self, opening: Token, function: str | None = None) -> Expr:
        """The expression after `opening` '(' up to its ')', which is consumed."""
        self.open.append(opening)
        if function and self.is_op(self.peek(), ")"):
            self.fail(gettext("{function}() needs an argument").format(function=function), self.peek())
        inner = self.expression(0)
        close = self.peek()
        if self.is_op(close, ")"):
            self.advance()
            self.open.pop()
            return inner
        if function and self.is_op(close, ","):
            self.fail(gettext("{function} takes one argument").format(function=function), close)
        if close.kind == END:
            self.fail(gettext("'(' is never closed"), opening)
        self.fail(gettext("expected ')' to close the '(' at column {opening_column}, found {close_describe}").format(opening_column=opening.column, close_describe=close.describe()),
                  close)

    def call(self, tok: Token) -> Expr:
        """`sin(x)`, `leaky_relu(x, 0.2)`, or without parentheses on a power-level operand:
        `sin x^2`, `ln x`; a superscript on the name powers the call, as textbooks write it:
        `tanh²x` = (tanh x)²."""
        after = self.peek()
        params: tuple = ()
        power = None
        if self.is_op(after, "^") and after.start == after.end:   # a superscript: zero-width '^'
            self.advance()
            power = self.expression(_POWER_RIGHT)
            after = self.peek()
        if self.is_op(after, "("):
            self.advance()
            if FUNCTIONS[tok.text].params:
                argument, params = self.arguments(after, tok.text)
            else:
                argument = self.enclosed(after, tok.text)
            end = self.last.end
        elif after.kind in (NAME, NUMBER) or self.is_op(after, "-") or self.is_op(after, "+"):
            argument = self.expression(_FUNCTION_OPERAND)
            end = argument.end
        else:
            self.fail(gettext("{tok_text} needs an argument, e.g. {tok_text}(x)").format(tok_text=tok.text), after)
        call = Call(tok.start, end, tok.line, tok.column, tok.text, argument, params)
        if power is None:
            return call
        return Binary(tok.start, end, tok.line, tok.column, "^", call, power)

    def arguments(self, opening: Token, function: str) -> tuple[Expr, tuple]:
        """`(x)` or `(x, 0.2, …)` after a function with parameters: its argument, then up to one
        number per declared parameter; the closing ')' is consumed."""
        declared = FUNCTIONS[function].params
        self.open.append(opening)
        if self.is_op(self.peek(), ")"):
            self.fail(gettext("{function}() needs an argument").format(function=function), self.peek())
        argument = self.expression(0)
        params = []
        while self.is_op(self.peek(), ","):
            comma = self.advance()
            if len(params) == len(declared):
                names = ", ".join(name for name, _ in declared)
                self.fail(gettext("{function} takes its argument and at most {length} parameter{declared_else} ({names})").format(function=function, length=len(declared), declared_else='s' if len(declared) > 1 else '', names=names), comma)
            params.append(self.parameter(function, len(params)))
        close = self.peek()
        if not self.is_op(close, ")"):
            if close.kind == END:
                self.fail(gettext("'(' is never closed"), opening)
            self.fail(gettext("expected ')' to close the '(' at column {opening_column}, found {close_describe}").format(opening_column=opening.column, close_describe=close.describe()), close)
        self.advance()
        self.open.pop()
        return argument, tuple(params)

    def parameter(self, function: str, index: int) -> Number:
        """One parameter: a number, signed or in parentheses, that the parameter can take."""
        name = FUNCTIONS[function].params[index][0]
        start = self.peek()
        value = self.expression(0)
        while isinstance(value, Group):
            value = value.inner
        if not isinstance(value, Number):
            self.fail(gettext("the parameter {name} of {function} must be a number, e.g. {function}(x, {index_or})").format(name=name, function=function, index_or=FUNCTIONS[function].params[index][1] or 1), start)
        if FUNCTIONS[function].parameter(index, value.value) is None:
            self.fail(f"the parameter {name} of {function} must be a whole number"
                      + (" (0 or 1)" if isinstance(FUNCTIONS[function].params[index][1], bool) else ""),
                      start)
        return value
