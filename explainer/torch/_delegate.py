"""Module-level attribute delegation: a namespace module shows the engine module's public names."""
from __future__ import annotations


def delegate(module_name: str, engine) -> tuple:
    """(__getattr__, __dir__) for a module that re-exports `engine` (PEP 562), so a name the
    engine gains later (a new layer, a new loss) appears here with no second list to keep."""

    def __getattr__(name: str):
        if not name.startswith("_") and hasattr(engine, name):
            return getattr(engine, name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    def __dir__():
        return sorted(n for n in vars(engine) if not n.startswith("_"))

    return __getattr__, __dir__
