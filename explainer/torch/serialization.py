"""torch.save / torch.load for the engine, in a safe format: numpy's .npz, never a pickle.

The saved object (a state_dict, an optimizer's state_dict, a tensor, or dicts/lists/tuples of
tensors, arrays, numbers and strings) becomes a JSON outline plus one array per tensor, in one
zip written by `np.savez`; `load` reads it back with `allow_pickle=False`, so loading a file runs
no code. A file that is not ours, or is cut short, is refused with one sentence.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections import OrderedDict

import numpy as np

from ..errors import ExplainerError
from ..i18n import gettext
from ..tensor import Tensor, TensorError, _leaf

FORMAT = "explainer.torch.save-1"
_HEADER = "__explainer_torch__"


class MissingFileError(ExplainerError, FileNotFoundError):
    """torch.load of a path that does not exist (a FileNotFoundError, as in torch)."""


def save(obj, f) -> None:
    """Write `obj` to the path or binary file `f` (the name is kept as given: .pt, .pkl, …)."""
    arrays: dict[str, np.ndarray] = {}
    outline = _encode(obj, arrays)
    arrays[_HEADER] = np.frombuffer(json.dumps({"format": FORMAT, "object": outline}).encode(),
                                    dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    path = os.fspath(f)
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise TensorError(f"Parent directory {parent} does not exist.")   # torch's words
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with open(path, "wb") as handle:          # open() keeps the user's file name (no .npz added)
        handle.write(buffer.getvalue())


def load(f, map_location=None, weights_only=None, **_ignored):
    """Read what `save` wrote; map_location/weights_only are accepted (the engine is CPU-only,
    and a file here can only hold data)."""
    name = getattr(f, "name", gettext("the file")) if hasattr(f, "read") else os.fspath(f)
    if not hasattr(f, "read") and not os.path.isfile(name):
        raise MissingFileError(gettext("there is no file {name} to load.").format(name=name))
    try:
        with np.load(f, allow_pickle=False) as archive:
            if _HEADER not in archive.files:
                raise _not_ours(name, gettext("it holds no explainer header"))
            arrays = {key: archive[key] for key in archive.files}
        header = json.loads(arrays.pop(_HEADER).tobytes().decode())
    except ExplainerError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, UnicodeDecodeError) as error:
        truncated = isinstance(error, (EOFError, zipfile.BadZipFile)) or "truncated" in str(error)
        raise _not_ours(name, gettext("it is truncated or damaged") if truncated and _is_zip(f, name)
                        else gettext("it is not a zip of numpy arrays")) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _not_ours(name, gettext("its header names another format"))
    return _decode(header["object"], arrays)


def _not_ours(name, why: str) -> ExplainerError:
    return ExplainerError(gettext("{name} cannot be loaded: {why}; explainer.torch.load reads only files written by "
                                  "explainer.torch.save (it never unpickles).").format(name=name, why=why))


def _is_zip(f, name) -> bool:
    try:
        if hasattr(f, "seek"):
            f.seek(0)
            return f.read(2) == b"PK"
        with open(name, "rb") as handle:
            return handle.read(2) == b"PK"
    except OSError:
        return False


def _encode(obj, arrays: dict):
    """The JSON outline of `obj`; tensors and arrays go to `arrays` under a numbered key."""
    from ..nn import Parameter
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = obj.value
        kind = "P" if isinstance(obj, Parameter) else "T"
        return {kind: key, "rg": obj.requires_grad}
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise ExplainerError(gettext("torch.save here stores numeric arrays only, not arrays of objects."))
        key = f"t{len(arrays)}"
        arrays[key] = obj
        return {"A": key}
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        return {"D": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()],
                "O": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        return {"L" if isinstance(obj, list) else "U": [_encode(v, arrays) for v in obj]}
    raise ExplainerError(gettext("torch.save here stores tensors, arrays, numbers, strings and dicts, lists or tuples "
                                 "of them (a state_dict), not a {type}.").format(type=type(obj).__name__))


def _decode(node, arrays: dict):
    from ..nn import Parameter
    if not isinstance(node, dict):
        return node
    if "T" in node or "P" in node:
        array = arrays[node.get("T") or node.get("P")]
        if "P" in node:
            return Parameter(array, requires_grad=node["rg"])
        t = _leaf(array)
        if node["rg"]:
            t.requires_grad = True
        return t
    if "A" in node:
        return arrays[node["A"]]
    if "D" in node:
        pairs = [(_hashable(_decode(k, arrays)), _decode(v, arrays)) for k, v in node["D"]]
        return OrderedDict(pairs) if node.get("O") else dict(pairs)
    if "L" in node:
        return [_decode(v, arrays) for v in node["L"]]
    return tuple(_decode(v, arrays) for v in node["U"])


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
