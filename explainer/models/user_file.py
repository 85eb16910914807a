"""`--model path/to/file.py:NAME`: a network from the user's own file.

The file is run as a module (not as `__main__`: its `if __name__ == "__main__":` block stays
out), so it executes the user's Python, as `import` would. NAME is a module instance, or a function
or class that returns one when called with no arguments; torch's modules and ours both work.
Every way this can go wrong is one sentence.
"""
from __future__ import annotations
from explainer.i18n import _

import runpy
from pathlib import Path

from ..errors import ExplainerError


def split_spec(spec: str) -> tuple[Path, str] | None:
    """("path/to/file.py", "NAME") for a FILE.py:NAME spec, None for a built-in model's name."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path.endswith(".py"):
        return None
    if not name.isidentifier():
        raise ExplainerError(_("--model {spec}: {name!r} is not a Python name; write FILE.py:NAME, e.g. mynet.py:Net").format(spec=spec, name=name))
    return Path(path), name


def load_module(path: Path, name: str):
    """The module NAME stands for in `path`."""
    if not path.is_file():
        raise ExplainerError(_("no file {path}: --model takes FILE.py:NAME with FILE.py an existing file").format(path=path))
    try:
        defined = runpy.run_path(str(path), run_name=f"explainer_model_{path.stem}")
    except SystemExit:
        raise ExplainerError(_("{path} exited while it was loaded (sys.exit at import); keep that under `if __name__ == \"__main__\":`").format(path=path)) from None
    except Exception as error:  # the user's code: say where it failed, in one sentence
        raise ExplainerError(_("{path} failed to load: {error_path}").format(path=path, error_path=_where(error, path))) from None
    if name not in defined:
        found = sorted(k for k, v in defined.items() if not k.startswith("_") and (
            is_module(v) or (callable(v) and getattr(v, "__module__", None) == defined["__name__"])))
        hint = _("; it defines {names}").format(names=", ".join(found)) if found else ""
        raise ExplainerError(_("{path} defines no {name}{hint}").format(path=path, name=name, hint=hint))
    value = defined[name]
    if is_module(value):
        return value
    if not callable(value):
        raise ExplainerError(_("{name} in {path} is a {value___name__}, not a module or a function returning one").format(name=name, path=path, value___name__=type(value).__name__))
    try:
        made = value()
    except TypeError as error:
        raise ExplainerError(_("{name}() in {path} cannot be called without arguments ({error}); name a module instance or a function of no arguments").format(name=name, path=path, error=error)) from None
    except Exception as error:
        raise ExplainerError(_("{name}() in {path} failed: {error_path}").format(name=name, path=path, error_path=_where(error, path))) from None
    if not is_module(made):
        raise ExplainerError(_("{name}() in {path} returned a {made___name__}, not a module").format(name=name, path=path, made___name__=type(made).__name__))
    return made


def is_module(value) -> bool:
    """A torch nn.Module or one of ours."""
    from ..nn import Module

    if isinstance(value, Module):
        return True
    return is_torch_module(value)


def is_torch_module(value) -> bool:
    for cls in type(value).__mro__:
        if cls.__module__ == "torch.nn.modules.module" and cls.__name__ == "Module":
            return True
    return False


def _where(error: BaseException, path: Path) -> str:
    """`ZeroDivisionError: division by zero (line 7)`: the error and the line of the user's file."""
    line = None
    tb = error.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    text = f"{type(error).__name__}: {error}".strip().splitlines()[0]
    return text + (f" (line {line})" if line else "")
