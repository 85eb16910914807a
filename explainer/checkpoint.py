"""Save and resume training: torch's own format for the torch engine, .npz for ours.

A checkpoint is one file per (example, engine) in OUT/checkpoints/, rewritten after every epoch
(or every `save_every` steps for step-based examples). It is written to a temporary file and then
renamed, so a run killed mid-save leaves the previous checkpoint intact. Anything that does not
load cleanly is reported as one sentence, never a traceback.
"""
from __future__ import annotations
from explainer.i18n import _

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import ExplainerError

FORMAT = "explainer-checkpoint-1"


def checkpoint_path(out: Path, example: str, engine: str) -> Path:
    suffix = ".pt" if engine == "torch" else ".npz"
    return Path(out) / "checkpoints" / f"{example}-{engine}{suffix}"


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        write(handle)
    os.replace(temporary, path)


def _corrupt(path: Path, why: str) -> ExplainerError:
    return ExplainerError(_("checkpoint {path} is unusable ({why}); delete it or run without --resume.").format(path=path, why=why))


# ---------------------------------------------------------------- torch engine

def save_torch(path: Path, state: dict) -> None:
    """`state` holds state_dicts, tensors, numbers and lists (what torch.save writes safely)."""
    import torch

    _atomic_write(Path(path), lambda handle: torch.save({"format": FORMAT, **state}, handle))


def load_torch(path: Path, example: str) -> dict:
    import torch

    path = Path(path)
    if not path.is_file():
        raise ExplainerError(_("there is no checkpoint at {path} to resume; run once without --resume first.").format(path=path))
    try:
        # weights_only: a checkpoint is data, never code to run
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a damaged file; all mean the same here
        raise _corrupt(path, f"torch cannot read it: {type(error).__name__}") from None
    _check_header(path, state, example)
    return state


# ---------------------------------------------------------------- our engine

def save_npz(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Flat named arrays plus a JSON header (example, step, losses, ...) in one .npz."""
    header = json.dumps({"format": FORMAT, **meta})
    payload = {f"a/{name}": np.asarray(value) for name, value in arrays.items()}
    payload["header"] = np.frombuffer(header.encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **payload)
    _atomic_write(Path(path), lambda handle: handle.write(buffer.getvalue()))


def load_npz(path: Path, example: str) -> tuple[dict[str, np.ndarray], dict]:
    path = Path(path)
    if not path.is_file():
        raise ExplainerError(_("there is no checkpoint at {path} to resume; run once without --resume first.").format(path=path))
    try:
        with np.load(path, allow_pickle=False) as archive:  # no pickles: a checkpoint is data
            contents = {name: archive[name] for name in archive.files}
        meta = json.loads(contents.pop("header").tobytes().decode())
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise _corrupt(path, f"numpy cannot read it: {type(error).__name__}") from None
    _check_header(path, meta, example)
    arrays = {name[2:]: value for name, value in contents.items() if name.startswith("a/")}
    return arrays, meta


def _check_header(path: Path, state, example: str) -> None:
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise _corrupt(path, "it is not an explainer checkpoint")
    if state.get("example") != example:
        raise _corrupt(path, f"it belongs to example {state.get('example')!r}, not {example!r}")


# ---------------------------------------------------------------- our engine's state, flattened for .npz

def flatten_ours(model, optimizer) -> tuple[dict[str, np.ndarray], dict]:
    """Our module's parameters and our optimiser's state as named arrays plus JSON-able scalars."""
    arrays = {f"model/{name}": np.asarray(value.value) for name, value in model.state_dict().items()}
    state = optimizer.state_dict()
    scalars = {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                arrays[f"optim/{index}/{key}"] = value
            else:
                scalars[f"{index}/{key}"] = value
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in state["param_groups"]]
    return arrays, {"optim_scalars": scalars, "param_groups": groups}


def restore_ours(model, optimizer, arrays: dict[str, np.ndarray], meta: dict) -> None:
    model.load_state_dict({name[6:]: value for name, value in arrays.items() if name.startswith("model/")})
    state: dict = {}
    for name, value in arrays.items():
        if name.startswith("optim/"):
            index, key = name[6:].split("/", 1)
            state.setdefault(int(index), {})[key] = value
    for name, value in meta["optim_scalars"].items():
        index, key = name.split("/", 1)
        state.setdefault(int(index), {})[key] = value
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in meta["param_groups"]]
    optimizer.load_state_dict({"state": state, "param_groups": groups})
