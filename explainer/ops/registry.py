"""The `Op` record and the table that holds them, in the spirit of PyTorch's derivatives.yaml.

An entry here is all a new op needs: the engines' methods, the functional wrappers, the
expression language's functions, the docs' op table and the torch-comparison tests are all read
from `OPS` (see docs/adding-an-op.md).
"""
from __future__ import annotations
from explainer.i18n import DEFAULT, LANGUAGES, gettext, translations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from ..errors import ExplainerError


@dataclass(frozen=True, eq=False)
class Sample:
    """Inputs an op is tested at (against torch, in both engines and in the expression language).

    `inputs`: one number or array per input (numbers for elementwise ops: the tests spread them
    into tensors too); `attrs`: the parameters given, the rest take their defaults."""

    inputs: tuple
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Op:
    """One primitive: forward, gradient rule, derivative text and torch counterpart, side by side.

    forward(m, *xs, **attrs)      -> the output; `m` is a backend (math for scalars, numpy for arrays)
    local(m, xs, out, **attrs)    -> tuple of ∂out/∂x_i, elementwise (None for structural ops)
    vjp(g, xs, out, **attrs)      -> tuple of input gradients for structural tensor ops
    text                          -> ∂out/∂x_i as text; {0}, {1} are the inputs' names, {out} the
                                     output's, {negative_slope} (any parameter) its value. A
                                     formula ("cos {0}", "grad · {1}ᵀ") is the same in every
                                     language; a rule in words is marked N_("grad broadcast to …")
                                     and a person reads it through `rules()`, translated
    torch(t, *xs, **attrs)        -> the same op written with the torch module `t`, for the check;
                                     left out, it is `torch.<torch_name>(*xs, **attrs)`
    torch_name                    -> torch's name for it under `torch.` ("exp",
                                     "nn.functional.leaky_relu", "Tensor.to"); the op's name if left out
    params                        -> (name, default) of each parameter, e.g. (("negative_slope", 0.01),)
    function                      -> an elementwise op called by name: it becomes the Scalar and
                                     Tensor method `x.name(*params)`, `functional.name(x, *params)`
                                     and (when torch has it at the top level) `tensor.name`
    expression                    -> callable in the expression language: `name(x, params…)`
    operator                      -> the expression language's operator for it ("+", "^", …)
    aliases                       -> other names in the expression language ("ln" for log)
    kinks                         -> inputs where the derivative jumps (relu at 0): finite
                                     differences are not expected to agree there
    samples                       -> the inputs the tests run it at
    """

    name: str
    arity: int
    symbol: str
    forward: Callable
    grad_fn: str
    text: tuple[str, ...]
    torch: Callable | None = None
    local: Callable | None = None
    vjp: Callable | None = None
    vjp_text: tuple[str, ...] = field(default=())
    torch_name: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    function: bool = False
    expression: bool = False
    operator: str | None = None
    aliases: tuple[str, ...] = ()
    kinks: tuple[float, ...] = ()
    samples: tuple[Sample, ...] = ()

    def __post_init__(self):
        if not self.torch_name:
            object.__setattr__(self, "torch_name", self.name)
        if self.torch is None:  # derived replay: torch.<torch_name>(*xs, **attrs)
            path = self.torch_name.split(".")
            object.__setattr__(self, "torch", lambda t, *xs, **attrs: _resolve(t, path)(*xs, **attrs))

    @property
    def elementwise(self) -> bool:
        return self.local is not None

    @property
    def defaults(self) -> dict:
        return dict(self.params)

    def bind(self, args: tuple = (), kwargs: dict | None = None) -> dict | None:
        """The parameters of one call, defaults filled in: `bind((0.2,))` → {"negative_slope": 0.2}.
        None for an op without parameters (the engines' fast path)."""
        if not self.params:
            if args or kwargs:
                raise ExplainerError(gettext("{name} takes no parameters").format(name=self.name))
            return None
        names = [name for name, _ in self.params]
        if len(args) > len(names):
            raise ExplainerError(gettext("{name} takes at most {length} parameter{names_else} ({names}), got {length2}").format(name=self.name, length=len(names), names_else='s' if len(names) > 1 else '', names=', '.join(names), length2=len(args)))
        attrs = dict(self.params)
        attrs.update(zip(names, args))
        for key, value in (kwargs or {}).items():
            if key not in attrs:
                raise ExplainerError(gettext("{name} has no parameter {key!r}; its parameters: {names}").format(name=self.name, key=key, names=', '.join(names)))
            attrs[key] = value
        return attrs

    def rules(self, vjp: bool = False) -> tuple[str, ...]:
        """`text` (or `vjp_text`) as a person reads it: a rule in words in the language in force,
        a formula as it is. What parses or compares the rules (formulas.py) reads `text`."""
        texts = self.vjp_text if vjp else self.text
        if not _in_words(texts):   # formulas only (every scalar op): no lookup per edge
            return texts
        return tuple(gettext(t) if t else t for t in texts)

    @property
    def help(self) -> str:
        """One line for a derived method's help: the call, its parameters and its local derivative
        (English, as Python's docstrings are: it is written once, when the engines are imported)."""
        params = "".join(f", {name}={default!r}" for name, default in self.params)
        names = ["x", "y", "z"][:max(self.arity, 1)]
        rule = self.text[0].format(*names, out="out", **self.defaults)
        return f"{self.name}({', '.join(names)}{params}): ∂out/∂x = {rule} (the registry's op {self.name!r})"

    def written(self, sample: Sample, names: str = "xy") -> str | None:
        """How a user writes this op at `sample` in the expression language, on inputs named
        x, y: "x ^ y", "-x", "leaky_relu(x, 0.2)"; None where it cannot be written there (an op
        of the tensor engine only, a parameter that is no number)."""
        if self.operator:
            return f"{names[0]} {self.operator} {names[1]}" if self.arity == 2 else f"{self.operator}{names[0]}"
        if not self.expression:
            return None
        given = [i for i, (name, _) in enumerate(self.params) if name in sample.attrs]
        words = [names[0]]
        for name, default in self.params[:given[-1] + 1 if given else 0]:   # positional, in order
            value = sample.attrs.get(name, default)
            if isinstance(value, bool):
                value = int(value)
            if not isinstance(value, (int, float)):
                return None
            words.append(repr(value))
        return f"{self.name}({', '.join(words)})"

    def derivative_text(self, index: int, names: list[str], out: str, attrs: dict | None = None) -> str:
        """The local derivative ∂out/∂input[index] with the nodes' names (and parameters) filled in,
        in the language in force (it is what the edge of a picture shows)."""
        text = self.rules()[index]
        if attrs:
            return text.format(*names, out=out, **{k: _shown(v) for k, v in attrs.items()})
        return text.format(*names, out=out)


@lru_cache(maxsize=None)
def _in_words(texts: tuple[str, ...]) -> bool:
    """Whether any of these rules is in words, i.e. has a translation in one of our catalogues."""
    return any(t and translations(lang).gettext(t) != t
               for lang in LANGUAGES if lang != DEFAULT for t in texts)


def _resolve(module, path: list[str]):
    for part in path:
        module = getattr(module, part)
    return module


def _shown(value):
    """A parameter as derivative texts print it: numbers as `fmt` writes them."""
    if isinstance(value, float):
        from ..format import fmt
        return fmt(value)
    return value


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    return op


def lookup(name: str) -> Op:
    try:
        return OPS[name]
    except KeyError:
        raise ExplainerError(gettext("unknown op {name!r}; known ops: {sorted_OPS}").format(name=name, sorted_OPS=', '.join(sorted(OPS)))) from None


def functions() -> list[Op]:
    """The elementwise ops called by name (x.exp(), x.leaky_relu(0.2)), in registry order."""
    return [op for op in OPS.values() if op.function]


def torch_names() -> dict[str, Op]:
    """torch's name under `torch.` → the op ("exp", "nn.functional.leaky_relu", "Tensor.to", …):
    what a torch-shaped namespace over the engines can offer."""
    return {op.torch_name: op for op in OPS.values()}
