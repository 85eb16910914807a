"""torch.nn.init over the engine (explainer.init): uniform_, normal_, constant_, xavier_*_, kaiming_*_."""
from ... import init as _engine
from .._delegate import delegate

__getattr__, __dir__ = delegate(__name__, _engine)
