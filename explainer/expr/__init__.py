"""The expression language: textbook notation → a traced graph. A real tokenizer and parser;
nothing the user types is ever passed to eval or exec.

    from explainer.expr import trace_expression
    J = trace_expression("J = 3(a + bc)", {"a": 5, "b": 3, "c": 2})   # a Scalar named J, value 33

tokens.py (text → tokens) → parser.py (tokens → tree.py's syntax tree) → evaluate.py (tree →
engine nodes); functions.py is the whitelist of callable names, limits.py the size limits.
"""
from .errors import (ExpressionError, ExpressionLimitError, ExpressionSyntaxError, MissingValueError,
                     UnknownNameError)
from .evaluate import evaluate, trace_expression
from .functions import CONSTANTS, FUNCTIONS
from .parser import parse
from .tree import Program

__all__ = ["parse", "trace_expression", "evaluate", "Program", "FUNCTIONS", "CONSTANTS",
           "ExpressionError", "ExpressionSyntaxError", "UnknownNameError", "MissingValueError",
           "ExpressionLimitError"]
