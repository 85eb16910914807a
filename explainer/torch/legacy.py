"""torch's legacy tensor types: `torch.FloatTensor([2])` builds, `t.type(torch.FloatTensor)` casts,
`isinstance(t, torch.LongTensor)` checks the dtype, as in torch."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..tensor import Tensor, _made, _shape_arg


class _LegacyType(type):
    def __call__(cls, *data):
        if len(data) == 1 and not isinstance(data[0], int):      # FloatTensor([2, 3]) or (array)
            return Tensor(data[0], dtype=cls.legacy_dtype)
        return _made(np.zeros(_shape_arg(data), dtype=cls.legacy_dtype.dtype), False)  # (2, 3)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.value.dtype == cls.legacy_dtype.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name: str, dtype) -> type:
    return _LegacyType(name, (), {"legacy_dtype": dtype})


FloatTensor = _legacy("FloatTensor", _dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", _dtypes.float64)
HalfTensor = _legacy("HalfTensor", _dtypes.float16)
LongTensor = _legacy("LongTensor", _dtypes.int64)
IntTensor = _legacy("IntTensor", _dtypes.int32)
ShortTensor = _legacy("ShortTensor", _dtypes.int16)
CharTensor = _legacy("CharTensor", _dtypes.int8)
ByteTensor = _legacy("ByteTensor", _dtypes.uint8)
BoolTensor = _legacy("BoolTensor", _dtypes.bool_)
