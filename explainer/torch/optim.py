"""torch.optim over the engine (explainer.optim): SGD, Adam, Adagrad, RMSprop, Optimizer."""
from .. import optim as _engine
from ..optim import *  # noqa: F401,F403
from ._delegate import delegate

__getattr__, __dir__ = delegate(__name__, _engine)
