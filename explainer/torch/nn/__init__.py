"""torch.nn over the engine: explainer.nn's Module, Parameter, layers and losses, by torch's names."""
from ... import nn as _engine
from ...nn import *  # noqa: F401,F403  (the engine's layers, one implementation)
from .._delegate import delegate
from . import functional, init  # noqa: F401

__getattr__, __dir__ = delegate(__name__, _engine)
