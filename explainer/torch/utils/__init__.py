"""torch.utils for the engine: only `data` (Dataset, DataLoader, …)."""
from . import data

__all__ = ["data"]
