"""Size limits for expressions: text from anyone (a student, a web page, a docs build) must be
refused in one sentence, quickly, before it can exhaust time or memory.

Change these module-level defaults, or pass them for one call: max_length=, max_depth=,
max_statements=, max_exponent= to `parse`; all of them, plus max_nodes= and max_elements=, to
`trace_expression`.
"""

MAX_LENGTH = 100_000      # characters
MAX_DEPTH = 200           # nested parentheses, powers, signs and function calls
MAX_STATEMENTS = 10_000
# |constant exponent| (x^1e9 means nothing a learner wants; x^1e6 already overflows for any
# |x| > 1.0008). Exponents computed from values are not limited: they overflow into an error.
MAX_EXPONENT = 1e6
MAX_NODES = 1_000_000     # graph nodes one expression may build (numbers, names' products, ops)
# elements of any one tensor the expression computes: 10M float64 is 80 MB. Checked BEFORE the
# operation, so that [n,1] + [1,n] with n = 20,000 is refused instead of allocating 3 GB.
MAX_ELEMENTS = 10_000_000
