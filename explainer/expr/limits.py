"""Size limits for expressions. Change these module-level defaults, or pass max_length=,
max_depth=, max_statements= to `parse` / `trace_expression` for one call."""

MAX_LENGTH = 100_000      # characters
MAX_DEPTH = 200           # nested parentheses, powers, signs and function calls
MAX_STATEMENTS = 10_000
