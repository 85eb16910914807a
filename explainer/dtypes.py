"""torch's dtype objects (`torch.float32`, `torch.long`, …) over numpy's dtypes.

A `DType` prints as torch prints it (`torch.float64`) and compares equal to the numpy dtype it
stands for; numpy accepts it wherever it takes a dtype (it reads the `.dtype` attribute), so
`np.zeros(3, dtype=torch.float64)` and the engine's own `astype` calls need no conversion.
"""
from __future__ import annotations

import numpy as np


class DType:
    __slots__ = ("dtype", "name")

    def __init__(self, numpy_name: str, torch_name: str):
        self.dtype = np.dtype(numpy_name)
        self.name = torch_name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __eq__(self, other) -> bool:
        try:
            return self.dtype == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    # numpy-style attributes, so code written against np.dtype keeps working
    @property
    def kind(self) -> str: return self.dtype.kind

    @property
    def itemsize(self) -> int: return self.dtype.itemsize


float16 = DType("float16", "float16")
float32 = DType("float32", "float32")
float64 = DType("float64", "float64")
int8 = DType("int8", "int8")
uint8 = DType("uint8", "uint8")
int16 = DType("int16", "int16")
int32 = DType("int32", "int32")
int64 = DType("int64", "int64")
bool_ = DType("bool", "bool")

_BY_NUMPY = {d.dtype: d for d in (float16, float32, float64, int8, uint8, int16, int32, int64, bool_)}


def of(numpy_dtype) -> DType | np.dtype:
    """The torch-named dtype for a numpy dtype (numpy's own where torch has no name for it)."""
    return _BY_NUMPY.get(np.dtype(numpy_dtype), np.dtype(numpy_dtype))


def as_numpy(dtype) -> np.dtype | None:
    """A dtype argument (DType, numpy dtype or type, legacy `torch.FloatTensor`) as numpy's, or None."""
    if dtype is None:
        return None
    legacy = getattr(dtype, "legacy_dtype", None)
    if legacy is not None:
        return legacy.dtype
    return np.dtype(dtype)
