"""`explainer run SCRIPT.py`: run the user's own script as `python SCRIPT.py` would, and catch every
backward pass it makes.

With real torch, `torch.autograd.backward` (which `Tensor.backward` calls) is wrapped for the run;
with our engine, `import torch` inside the script resolves to `explainer.torch` and our
`Tensor.backward` is wrapped. Each wrapper reads the graph *before* the real backward runs (torch
frees what it saved), names its nodes after the variables and modules in the caller's frame, and
keeps the first `max_graphs` distinct graphs (the same ops on the same shapes and dtypes are the
same graph: a training loop makes one graph, called once per step); the rest are counted. The script's output is its own; a
script that raises keeps what it recorded before.
"""
from __future__ import annotations
from explainer.i18n import gettext

import contextlib
import runpy
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ExplainerError

ENGINES = ("torch", "explainer")
_HERE = str(Path(__file__).resolve().parent)


@dataclass
class Record:
    """One distinct backward graph: where `.backward()` was called, how often this graph came back."""

    number: int
    output: str
    where: str                   # "train.py:23"
    graph: object = None         # our Graph (a TorchGraph for torch's engine)
    error: str | None = None     # why it could not be read
    calls: int = 1


@dataclass
class RunLog:
    script: Path
    engine: str
    max_graphs: int
    records: list[Record] = field(default_factory=list)
    backward_calls: int = 0
    unrecorded_graphs: int = 0   # distinct graphs past max_graphs
    failure: str | None = None   # the script's own error, one line
    exit_code: int = 0
    _seen: dict = field(default_factory=dict)

    def record(self, signature, read, frame) -> None:
        """Count one backward call; read its graph (`read(names)`) when it is a new one."""
        self.backward_calls += 1
        known = self._seen.get(signature)
        if known is not None:
            known.calls += 1
            return
        if len(self.records) >= self.max_graphs:
            self._seen[signature] = Record(0, "", "")   # counted, never drawn
            self.unrecorded_graphs += 1
            return
        names = FrameNames(frame)
        where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}" if frame else "?"
        number = len(self.records) + 1
        try:
            graph, output = read(names)
            record = Record(number, output, where, graph=graph)
        except ExplainerError as error:
            record = Record(number, "?", where, error=str(error))
        self.records.append(record)
        self._seen[signature] = record


class FrameNames:
    """The caller's variables: tensors by name, and the parameters of the modules it holds
    (prefixed by the module's variable name when there are several modules: `G.0.weight`)."""

    def __init__(self, frame):
        scope = {}
        if frame is not None:
            scope.update(frame.f_globals)
            scope.update(frame.f_locals)
        self.scope = {k: v for k, v in scope.items() if not k.startswith("_")}

    def modules(self, is_module) -> dict:
        return {k: v for k, v in self.scope.items() if is_module(v)}

    def parameters(self, is_module) -> dict:
        modules = self.modules(is_module)
        named = {}
        for label, module in modules.items():
            for name, p in module.named_parameters():
                named.setdefault(id(p), (f"{label}.{name}" if len(modules) > 1 else name, p))
        return {name: p for name, p in named.values()}

    def tensors(self, is_tensor) -> dict:
        return {k: v for k, v in self.scope.items() if is_tensor(v)}


def user_frame():
    """The innermost frame outside torch and explainer: where the script called backward()."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_HERE) or "/torch/" in filename or filename.startswith("<frozen")):
            return frame
        frame = frame.f_back
    return None


# -- torch ---------------------------------------------------------------------------------------

def _torch_signature(output) -> tuple:
    from .torchbridge import _walk

    fns, _ = _walk(output.grad_fn)
    return tuple((type(fn).__name__, tuple((tuple(m.shape), str(m.dtype))
                                           for m in getattr(fn, "_input_metadata", ())))
                 for fn in fns)


def _patch_torch(log: RunLog):
    import torch

    from .models.user_file import is_torch_module
    from .torchbridge import from_torch

    original = torch.autograd.backward

    def backward(tensors, grad_tensors=None, *args, **kwargs):
        try:
            outputs = [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)
            out = outputs[0]
            seed = grad_tensors
            if isinstance(seed, (list, tuple)):
                seed = seed[0] if seed else None
            if out.grad_fn is not None:
                frame = user_frame()

                def read(names):
                    held = names.tensors(lambda v: isinstance(v, torch.Tensor))
                    name = next((k for k, v in held.items() if v is out), "output")
                    params = names.parameters(is_torch_module)
                    graph = from_torch(out, params=params, inputs=held, output_name=name,
                                       grad_output=None if seed is None else seed.detach())
                    return graph, name

                log.record(_torch_signature(out), read, frame)
        except Exception as error:  # never break the user's script over a picture
            log.failure = log.failure or f"explainer could not record a backward pass: {error}"
        return original(tensors, grad_tensors, *args, **kwargs)

    torch.autograd.backward = backward
    return lambda: setattr(torch.autograd, "backward", original)


# -- our engine ----------------------------------------------------------------------------------

def _our_signature(output) -> tuple:
    from .graph import topological_order

    return tuple((n.op.name if n.inputs else None, n.value.shape, str(n.value.dtype))
                 for n in topological_order(output))


def _patch_ours(log: RunLog):
    from . import nn
    from .api import _seed_for
    from .graph import Graph
    from .tensor import Tensor

    original = Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        try:
            if self.inputs:
                frame = user_frame()

                def read(names):
                    held = names.tensors(lambda v: isinstance(v, Tensor))
                    for name, p in names.parameters(lambda v: isinstance(v, nn.Module)).items():
                        p.name = p.name or name
                    for name, t in held.items():
                        if t.name is None:
                            t.name = name
                    name = self.name or "output"
                    seed = _seed_for(self.value) if gradient is None else \
                        np.asarray(getattr(gradient, "value", gradient), dtype=self.value.dtype).reshape(self.value.shape)
                    graph = Graph.build(self, seed=seed, title=name)
                    for node in graph.nodes:  # a snapshot: optimizer.step() changes the weights in place
                        if isinstance(node.value, np.ndarray):
                            node.value = node.value.copy()
                    return graph, name

                log.record(_our_signature(self), read, frame)
        except Exception as error:
            log.failure = log.failure or f"explainer could not record a backward pass: {error}"
        return original(self, gradient, *args, **kwargs)

    Tensor.backward = backward
    return lambda: setattr(Tensor, "backward", original)


def _alias_torch() -> dict:
    """Place `explainer.torch` in sys.modules as `torch` and its submodules; return what was there."""
    try:
        from . import torch as namespace
    except ImportError:
        raise ExplainerError(gettext("--engine explainer needs explainer.torch, the torch-shaped namespace, which this install lacks; use --engine torch")) from None
    aliases = namespace.modules()
    previous = {name: sys.modules.get(name) for name in list(sys.modules)
                if name == "torch" or name.startswith("torch.")}
    for name in previous:
        del sys.modules[name]
    sys.modules.update(aliases)
    return previous


def _restore_torch(previous: dict) -> None:
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    sys.modules.update({k: v for k, v in previous.items() if v is not None})


def check_script(script: Path, engine: str, max_graphs: int) -> None:
    """One sentence for each way the command line can be wrong, before anything runs."""
    if engine not in ENGINES:
        raise ExplainerError(gettext("unknown engine {engine!r}; use one of: {ENGINES}").format(engine=engine, ENGINES=', '.join(ENGINES)))
    if max_graphs < 1:
        raise ExplainerError(gettext("--max-graphs must be at least 1, not {max_graphs}").format(max_graphs=max_graphs))
    if not script.is_file():
        raise ExplainerError(gettext("no file {script}: explainer run takes the path of a Python script").format(script=script))
    if engine == "explainer":
        import importlib.util

        if importlib.util.find_spec("explainer.torch") is None:
            raise ExplainerError(gettext("--engine explainer needs explainer.torch, the torch-shaped namespace, which this install lacks; use --engine torch"))


def run_script(script: Path, args: list[str], engine: str = "torch", max_graphs: int = 5) -> RunLog:
    """Run `script` as `python script args…` would, recording its backward passes."""
    check_script(script, engine, max_graphs)
    log = RunLog(script, engine, max_graphs)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *args]
    sys.path.insert(0, str(script.resolve().parent))
    previous = None
    if engine == "explainer":
        previous = _alias_torch()
        undo = _patch_ours(log)
    else:
        undo = _patch_torch(log)
    try:
        with _blas_threads(engine):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as done:
        code = done.code
        log.exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
    except Exception as error:  # the user's code: their traceback, from their script's frames on
        _print_user_traceback(error, script)
        log.failure = f"{type(error).__name__}: {error}".splitlines()[0]
        log.exit_code = 1
    finally:
        undo()
        if previous is not None:
            _restore_torch(previous)
        sys.argv, sys.path[:] = saved_argv, saved_path
        sys.stdout.flush()
    return log


def _blas_threads(engine: str):
    """One BLAS thread for our numpy engine, as the training examples run it: on the tutorials'
    small nets a second thread only adds hand-offs. torch keeps its own threading."""
    if engine != "explainer":
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _print_user_traceback(error: BaseException, script: Path) -> None:
    """Python's own traceback, starting at the first frame of the user's script (runpy's and ours
    left out): what `python SCRIPT.py` would print."""
    tb = error.__traceback__
    target = str(script.resolve())
    while tb is not None and str(Path(tb.tb_frame.f_code.co_filename).resolve()) != target:
        tb = tb.tb_next
    sys.stderr.write("".join(traceback.format_exception(type(error), error, tb or error.__traceback__)))
