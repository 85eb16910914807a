"""torch.nn.functional over the engine (explainer.functional): F.relu, F.log_softmax, F.nll_loss, …"""
from ... import functional as _engine
from .._delegate import delegate

__getattr__, __dir__ = delegate(__name__, _engine)
