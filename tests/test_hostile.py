"""A catalogue of hostile and malformed input (issue 7), each with the exact message a user gets.

Text from anyone — a student, a web page, a docs build — reaches the expression parser, the --at
values, the Python API and the command line. Nothing in it is ever evaluated as Python, no input
produces a traceback, and every refusal is one sentence (syntax errors add the source line and a
caret under the column). The CLI turns each into `error: <sentence>` on stderr and exit code 2.
"""
from __future__ import annotations

import numpy as np
import pytest

from explainer.api import trace
from explainer.errors import ExplainerError
from explainer.models import model_names
from explainer.expr import trace_expression
from explainer.values import parse_values

ABC = {"a": 5, "b": 3, "c": 2}


def syntax(column: int, reason: str, source: str) -> str:
    """The three lines of a syntax error: the sentence, the source, a caret under `column`."""
    return f"syntax error at column {column}: {reason}\n  {source}\n  {' ' * (column - 1)}^"


# (id, expression, values, the exact message)
EXPRESSIONS = [
    ("python-import", "__import__('os').system('touch pwned')", {},
     syntax(1, "unexpected character '_' (names start with a letter)", "__import__('os').system('touch pwned')")),
    ("attribute-access", "a.__class__", {"a": 1},
     syntax(2, "unexpected character '.' (attribute access is not part of the notation)", "a.__class__")),
    ("lambda", "lambda: 1", {}, syntax(7, "unexpected character ':'", "lambda: 1")),
    ("list-comprehension", "[x for x in ()]", {},
     syntax(1, "unexpected character '[' (brackets are only for array values given with --at)", "[x for x in ()]")),
    ("string-quote", "x'", {"x": 1}, syntax(2, "unexpected character \"'\" (the notation has no strings)", "x'")),
    ("dollar", "$x", {"x": 1}, syntax(1, "unexpected character '$'", "$x")),
    ("nul-byte", "x\x00", {"x": 1}, "syntax error at column 2: unexpected character '\\x00'\n  x\x00\n   ^"),
    ("bidi-override", "x\u202e", {"x": 1}, "syntax error at column 2: unexpected character '\\u202e'\n  x\u202e\n   ^"),
    ("power-tower-overflow", "9**9**9", {}, "overflow: 9 ^ 387420489 is too large for a 64-bit float"),
    ("huge-exponent", "2^1e7", {}, "the exponent 1e7 at column 3 is larger than the limit of 1,000,000 (max_exponent)"),
    ("huge-negative-exponent", "x^(-(1e9))", {"x": 2},
     "the exponent (-(1e9)) at column 3 is larger than the limit of 1,000,000 (max_exponent)"),
    ("superscript-exponent", "x⁹⁹⁹⁹⁹⁹⁹", {"x": 1},
     "the exponent ⁹⁹⁹⁹⁹⁹⁹ at column 2 is larger than the limit of 1,000,000 (max_exponent)"),
    ("deep-nesting", "(" * 201 + "x" + ")" * 201, {"x": 1},
     "the expression nests more than 200 levels deep at column 202 (parentheses, powers, signs and calls "
     "count; max_depth)"),
    ("deep-signs", "-" * 300 + "x", {"x": 1},
     "the expression nests more than 200 levels deep at column 202 (parentheses, powers, signs and calls "
     "count; max_depth)"),
    ("too-long", "a+" * 50001 + "a", {"a": 1},
     "the expression is 100,003 characters long; the limit is 100,000 (max_length)"),
    ("too-many-statements", ";".join(["a"] * 10001), {"a": 1},
     "the expression has more than 10,000 statements (max_statements)"),
    ("empty", "", {}, "the expression is empty; write one such as J = 3(a + bc)"),
    ("only-a-comment", "   # only a comment", {}, "the expression is empty; write one such as J = 3(a + bc)"),
    ("unclosed-parenthesis", "3(a + bc", ABC, syntax(2, "'(' is never closed", "3(a + bc")),
    ("extra-parenthesis", "3(a + bc))", ABC, syntax(10, "unexpected ')'", "3(a + bc))")),
    ("dangling-operator", "x + ", {"x": 1}, syntax(5, "the expression ends too early", "x + ")),
    ("double-caret", "x^^2", {"x": 1}, syntax(3, "unexpected '^'", "x^^2")),
    ("double-equals", "a = = b", {"b": 1},
     syntax(5, "unexpected '=' (assign with `name = expression` at the start of a statement)", "a = = b")),
    ("two-numbers", "1 2", {}, syntax(3, "unexpected number '2' (write '*' to multiply numbers)", "1 2")),
    ("number-overflow", "1e999 * x", {"x": 1}, syntax(1, "number '1e999' is too large for a 64-bit float", "1e999 * x")),
    ("assign-to-function", "sin = 3", {}, syntax(1, "cannot assign to 'sin': it is a function", "sin = 3")),
    ("call-without-argument", "sin()", {"x": 1}, syntax(5, "sin() needs an argument", "sin()")),
    ("call-with-two-arguments", "sin(x, y)", {"x": 1, "y": 2}, syntax(6, "sin takes one argument", "sin(x, y)")),
    ("bare-function", "sin", {}, syntax(4, "sin needs an argument, e.g. sin(x)", "sin")),
    ("typo-in-name", "J = 3(a + bz)", ABC, "no value for 'z': give it with --at z=VALUE (known: a, b, c)"),
    ("missing-value", "J = 3(a + bc)", {"a": 5, "b": 3}, "no value for 'c': give it with --at c=VALUE (known: a, b)"),
    ("unknown-function", "f(x)", {"x": 1}, "no value for 'f': give it with --at f=VALUE (known: x)"),
    ("log-of-negative", "log(x)", {"x": -1}, "log of a non-positive number: log(-1) is undefined"),
    ("division-by-zero", "1/x", {"x": 0}, "division by zero: 1 / 0 is undefined"),
    ("sqrt-of-negative", "sqrt(x)", {"x": -4}, "square root of a negative number: sqrt(-4) is not real"),
    ("sqrt-gradient-at-zero", "sqrt(x)", {"x": 0},
     "the gradient is undefined at √x: its local derivative ∂(√x)/∂x = 1/(2·√x) is infinite or "
     "undefined at x = 0"),
    ("negative-base-fractional-power", "x^0.5", {"x": -1}, "power is undefined: (-1)^(0.5) is not a real number"),
    ("exp-overflow", "exp(x)", {"x": 1000}, "overflow: exp(1000) is too large for a 64-bit float"),
    ("matmul-of-scalars", "x @ y", {"x": 1, "y": 2},
     "'@' (matrix multiplication) needs tensor operands, e.g. --at \"W=[[1,2],[3,4]],x=[1,1]\""),
    ("reduction-of-a-scalar", "mean(x)", {"x": 1}, "mean(...) needs a tensor argument"),
    ("matmul-shapes", "x @ y", {"x": np.ones((2, 3)), "y": np.ones((2, 3))},
     "matmul: shapes cannot be multiplied (2x3 and 2x3)"),
    ("broadcast-shapes", "x + y", {"x": np.ones(2), "y": np.ones(3)},
     "add cannot be applied to tensors of shape [2] and [3]: operands could not be broadcast together with "
     "shapes (2,) (3,) "),
    ("broadcast-memory-bomb", "x + y", {"x": np.ones((20000, 1)), "y": np.ones((1, 20000))},
     "'x + y' at column 1 would make a tensor of 400,000,000 elements; the limit is 10,000,000 (max_elements)"),
    ("outer-product-bomb", "xy", {"x": np.ones((20000, 1)), "y": np.ones((1, 20000))},
     "'xy' at column 1 would make a tensor of 400,000,000 elements; the limit is 10,000,000 (max_elements)"),
    ("value-not-a-number", "a + b", {"a": "5; rm -rf", "b": 1}, "the value of 'a' is not a number: '5; rm -rf'"),
    ("value-nan", "a", {"a": float("nan")}, "the value of 'a' is not a finite number: nan"),
    ("value-ragged", "a", {"a": [[1, 2], [3]]}, "the value of 'a' is not a number or a rectangular array"),
    ("value-infinite-element", "a", {"a": [1, float("inf")]}, "the value of 'a' contains a number that is not finite"),
    ("value-bad-name", "a", {"1x": 1}, "'1x' is not a variable name: use a letter, then letters, digits or '_'"),
    ("value-named-like-a-function", "a", {"sin": 1}, "'sin' is a function, so it cannot be a variable; rename it"),
]


@pytest.mark.parametrize("expression, values, message", [c[1:] for c in EXPRESSIONS], ids=[c[0] for c in EXPRESSIONS])
def test_hostile_expression_gives_its_exact_message(expression, values, message):
    with pytest.raises(ExplainerError) as caught:
        trace(expression, values)
    assert str(caught.value) == message


# (--at text, the exact message)
VALUES = [
    ("a=5,a=6", "'a' is given twice"),
    ("a", "'a' needs a value: write NAME=VALUE, e.g. a=5"),
    ("a=[1,2", "a '[' or '(' in the values is never closed"),
    ("a=1]", "']' at position 4 closes nothing"),
    ("a=[[1,2],[3]]", "the array of 'a' is ragged: every row needs the same number of entries"),
    ("a=[]", "the array of 'a' is empty"),
    ("a=[1,,2]", "the array of 'a' has an empty entry before ','"),
    ("a=" + "[" * 33 + "1" + "]" * 33, "the array of 'a' has more than 32 dimensions"),
    ("a=__import__('os')", "cannot read the value of 'a' (\"__import__('os')\"): syntax error at column 1: "
                           "unexpected character '_' (names start with a letter)"),
    ("a=1/0", "cannot compute the value of 'a': division by zero: 1 / 0 is undefined"),
    ("a=1e999", "the value of 'a' is too large for a 64-bit float: 1e999"),
    ("a=b", "the value of 'a' may use numbers, pi, π and e, but not 'b'"),
    ("a=2^1e9", "cannot read the value of 'a' ('2^1e9'): the exponent 1e9 at column 3 is larger than the limit "
                "of 1,000,000 (max_exponent)"),
    ("1x=3", "'1x' is not a variable name: use a letter, then letters, digits or '_'"),
    ("sin=1", "'sin' is a function, so it cannot be a variable; rename it"),
    ("a=5" + ",b=1" * 30000, "the values are 120,003 characters long; the limit is 100,000"),
]


@pytest.mark.parametrize("text, message", VALUES, ids=[f"at-{i}" for i in range(len(VALUES))])
def test_hostile_values_give_their_exact_message(text, message):
    with pytest.raises(ExplainerError) as caught:
        parse_values(text)
    assert str(caught.value) == message


def _big_sum_render(tmp_path):
    # no sum or product long enough to group (a 2,100-term sum now collapses into a Σ box)
    trace("f = sin(cos(a)) * b", a=1.0, b=2.0).render(tmp_path / "big.dot", max_nodes=3)


# (id, a call of the Python API, the exact message)
API = [
    ("trace-an-int", lambda tmp: trace(123), "trace() takes an expression text, a Scalar/Tensor or a torch tensor, not int"),
    ("values-with-a-node", lambda tmp: trace(trace("x", x=1).graph, x=1),
     "trace() takes an expression text, a Scalar/Tensor or a torch tensor, not Graph"),
    ("unknown-node", lambda tmp: trace("J = 3(a + bc)", ABC)["nope"],
     "no node named 'nope'; the graph has: a, b, c, bc, a + bc, J"),
    ("explain-unknown-node", lambda tmp: trace("x^3", x=2).explain("y"), "no node named 'y'; the graph has: x, f"),
    ("node-limit", lambda tmp: trace_expression("a+a+a", {"a": 1.0}, max_nodes=1),
     "the expression builds more than 1 graph nodes (reached at column 1; max_nodes)"),
    ("exponent-limit", lambda tmp: trace_expression("x^3", {"x": 1.0}, max_exponent=2),
     "the exponent 3 at column 3 is larger than the limit of 2 (max_exponent)"),
    ("element-limit", lambda tmp: trace_expression("x * x", {"x": np.ones(10)}, max_elements=5),
     "'x * x' at column 1 would make a tensor of 10 elements; the limit is 5 (max_elements)"),
    ("length-limit", lambda tmp: trace_expression("a + a", {"a": 1.0}, max_length=3),
     "the expression is 5 characters long; the limit is 3 (max_length)"),
    ("depth-limit", lambda tmp: trace_expression("((a))", {"a": 1.0}, max_depth=1),
     "the expression nests more than 1 levels deep at column 3 (parentheses, powers, signs and calls count; "
     "max_depth)"),
    ("render-bad-suffix", lambda tmp: trace("x*y", x=1, y=2).render(tmp / "x.exe"),
     "cannot write 'x.exe': the file name must end in one of .svg, .png, .pdf, .dot, .html"),
    ("render-bad-view", lambda tmp: trace("x*y", x=1, y=2).render(tmp / "x.dot", view="sideways"),
     "unknown view 'sideways'; choose one of: forward, backward, both"),
    ("render-too-big", _big_sum_render,
     "the graph is too big for dot: 5 nodes, over the limit of 3; pass max_nodes= (or --max-nodes) to "
     "raise it"),
    ("collapse-without-groups", lambda tmp: trace("x*y", x=1, y=2).render(tmp / "x.dot", collapse="neuron"),
     "cannot collapse by 'neuron': the graph has no groups (only networks built from layers and neurons do)"),
]


@pytest.mark.parametrize("call, message", [c[1:] for c in API], ids=[c[0] for c in API])
def test_hostile_api_call_gives_its_exact_message(tmp_path, call, message):
    with pytest.raises(ExplainerError) as caught:
        call(tmp_path)
    assert str(caught.value) == message


def _unknown_example() -> str:
    from explainer.examples import EXAMPLES

    return f"unknown example 'bogus'; known examples: {', '.join(EXAMPLES)}."


# (id, command line, the exact first line on stderr); exit code 2 and no traceback for each
CLI = [
    ("cli-python-in-values", ["check", "x", "--at", "x=__import__('os').system('id')"],
     "cannot read the value of 'x' (\"__import__('os').system('id')\"): syntax error at column 1: unexpected "
     "character '_' (names start with a letter)"),
    ("cli-shell-in-wrt", ["explain", "x*y", "--at", "x=1,y=2", "--wrt", "x; rm -rf /"],
     "no node named 'x; rm -rf /'; the graph has: x, y, f"),
    ("cli-bad-suffix", ["render", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "-o", "out.exe"],
     "cannot write 'out.exe': the file name must end in one of .svg, .png, .pdf, .dot, .html"),
    ("cli-bad-view", ["render", "x", "--at", "x=1", "--view", "sideways", "-o", "x.dot"],
     "unknown view 'sideways'; choose one of: forward, backward, both"),
    ("cli-no-expression", ["render", "-o", "x.dot"], 'give an expression, e.g. "J = 3(a + bc)", or --model NAME'),
    ("cli-expression-and-model", ["render", "x", "--model", "two-layer", "-o", "x.dot"],
     "give either an expression or --model, not both"),
    ("cli-unknown-model", ["render", "--model", "bogus", "-o", "m.dot"],
     f"unknown model 'bogus'; known models: {', '.join(model_names())}, or FILE.py:NAME for a module in your "
     "own file"),
    ("cli-torch-without-model", ["render", "x", "--at", "x=1", "--torch", "-o", "x.dot"],
     "--torch draws a built-in model's torch graph: add --model NAME"),
    ("cli-ragged-array", ["check", "x", "--at", "x=[[1,2],[3]]"],
     "the array of 'x' is ragged: every row needs the same number of entries"),
    ("cli-deep-nesting", ["explain", "(" * 250 + "x" + ")" * 250, "--at", "x=1", "--wrt", "x"],
     "the expression nests more than 200 levels deep at column 202 (parentheses, powers, signs and calls "
     "count; max_depth)"),
    ("cli-long-values", ["check", "a", "--at", "a=5" + ",b=1" * 30000],
     "the values are 120,003 characters long; the limit is 100,000"),
    ("cli-unknown-example", ["train", "bogus"], None),
    ("cli-zero-epochs", ["train", "linreg-manual", "--epochs", "0"], "--epochs must be at least 1, not 0."),
    ("cli-negative-steps", ["train", "linreg-manual", "--steps", "-5"], "--steps must be at least 1, not -5."),
    ("cli-resume-without-out", ["train", "linreg-manual", "--resume"],
     "--resume needs --out DIR, the folder that holds the checkpoint."),
    ("cli-unknown-engine", ["train", "linreg-manual", "--engine", "jax"],
     "unknown engine 'jax'; use one of: torch, explainer."),
    ("cli-data-dir-missing", ["train", "mnist-mlp", "--data-dir", "nonexistent"],
     "--data-dir nonexistent is not a folder; create it (MNIST is fetched into it when online) or name the "
     "folder that holds MNIST/raw/ and sms/."),
]


@pytest.mark.parametrize("args, message", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_hostile_command_line_gives_its_exact_message_and_exit_2(cli, tmp_path, args, message):
    run = cli(*args, timeout=60)
    expected = _unknown_example() if message is None else message
    assert run.code == 2, (run.out, run.err)
    assert run.err == f"error: {expected}\n"
    assert run.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []   # nothing written on the way to the refusal


# --model FILE.py:NAME and `explainer run SCRIPT.py`: (id, file name and text or None, command line with
# {file} for the file's path, the exact message). The file lives outside the folder the command runs in.
MODEL_FILE = "import torch\nnet = torch.nn.Linear(4, 2)\nanswer = 42\ndef broken():\n    return 'not a module'\n"
FILES = [
    ("model-file-missing", None, ["render", "--model", "nowhere.py:net", "--input-shape", "2,4", "-o", "m.svg"],
     "no file nowhere.py: --model takes FILE.py:NAME with FILE.py an existing file"),
    ("model-name-missing", MODEL_FILE, ["render", "--model", "{file}:Net", "--input-shape", "2,4", "-o", "m.svg"],
     "{file} defines no Net; it defines broken, net"),
    ("model-name-not-a-module", MODEL_FILE, ["check", "--model", "{file}:answer", "--input-shape", "2,4"],
     "answer in {file} is a int, not a module or a function returning one"),
    ("model-function-returns-no-module", MODEL_FILE, ["check", "--model", "{file}:broken", "--input-shape", "2,4"],
     "broken() in {file} returned a str, not a module"),
    ("model-input-shape-rejected", MODEL_FILE, ["check", "--model", "{file}:net", "--input-shape", "2,5"],
     "{file}:net rejects an input of shape [2, 5]: mat1 and mat2 shapes cannot be multiplied (2x5 and 4x2); "
     "give the shape it reads with --input-shape"),
    ("model-input-shape-not-a-shape", MODEL_FILE, ["check", "--model", "{file}:net", "--input-shape", "2,x,y"],
     "--input-shape '2,x,y' is not a shape: give sizes like 64,1,28,28"),
    ("model-without-input-shape", MODEL_FILE, ["check", "--model", "{file}:net"],
     "--model {file}:net needs --input-shape, the shape of the batch it reads, e.g. --input-shape 64,1,28,28"),
    ("run-missing-script", None, ["run", "nowhere.py", "-o", "g"],
     "no file nowhere.py: explainer run takes the path of a Python script"),
    ("run-unknown-engine", MODEL_FILE, ["run", "{file}", "--engine", "jax", "-o", "g"],
     "unknown engine 'jax'; use one of: torch, explainer"),
    ("run-zero-graphs", MODEL_FILE, ["run", "{file}", "--max-graphs", "0", "-o", "g"],
     "--max-graphs must be at least 1, not 0"),
    ("model-unknown-loss", MODEL_FILE, ["check", "--model", "{file}:net", "--input-shape", "2,4", "--loss", "hinge"],
     "unknown loss 'hinge'; use one of: sum, mse, cross-entropy, nll, bce-logits"),
]


@pytest.mark.parametrize("text, args, message", [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_hostile_model_files_give_their_exact_message_and_exit_2(cli, tmp_path_factory, tmp_path, text, args,
                                                                 message):
    path = tmp_path_factory.mktemp("user") / "mynet.py"
    if text is not None:
        path.write_text(text)
    run = cli(*[a.format(file=path) for a in args], timeout=120)
    assert run.code == 2, (run.out, run.err)
    assert run.err == f"error: {message.format(file=path)}\n"
    assert run.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []   # nothing written on the way to the refusal


def test_the_catalogue_holds_at_least_40_inputs():
    assert len(EXPRESSIONS) + len(VALUES) + len(API) + len(CLI) + len(FILES) >= 40
