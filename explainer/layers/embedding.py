"""Embedding: a learnable table whose rows integer indices pick (word vectors, token ids)."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import init
from ..errors import ExplainerError
from ..i18n import gettext
from ..nn import Module, Parameter


class Embedding(Module):
    """weight (num_embeddings, embedding_dim) ~ N(0, 1), the padding_idx row zero, as in torch."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, dtype=np.float32):
        super().__init__()
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise ExplainerError(gettext("this Embedding has no max_norm, scale_grad_by_freq or sparse gradients; "
                                         "leave them at their defaults (or use the torch engine)"))
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ExplainerError(gettext("padding_idx={padding_idx} must be within the {rows} rows of the "
                                             "embedding").format(padding_idx=padding_idx, rows=num_embeddings))
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = (num_embeddings, embedding_dim,
                                                                     padding_idx)
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype),
                                    requires_grad=not _freeze)
            init.normal_(self.weight)
            if padding_idx is not None:
                self.weight.value[padding_idx] = 0
        else:
            self.weight = Parameter(np.array(getattr(_weight, "data", _weight)),
                                    requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None):
        rows, dim = np.shape(getattr(embeddings, "data", embeddings))
        return cls(rows, dim, padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, indices):
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
