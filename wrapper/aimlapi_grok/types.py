"""Every type an app touches, from one package: the generated models, the request TypedDicts, the wrapper's types.

``from aimlapi_grok.types import ChatCompletion, UserMessage, ReasoningParam`` works for
whichever spec the client was generated from: the names are the spec's component names
(``aimlapi_grok_api.models``) and their ``...Param`` TypedDicts (``aimlapi_grok_api._params``).
The wrapper adds ``CreateParams`` (the keywords of ``create()``), ``ResponseInfo``,
``SchemaViolation``, ``DriftReport`` and ``StreamAccumulator``.
Importing this module loads the generated models (attrs); ``import aimlapi_grok`` does not.
"""

import typing

from aimlapi_grok_api import _params as _generated_params
from aimlapi_grok_api import models as _generated_models
from aimlapi_grok_api._params import *  # noqa: F403
from aimlapi_grok_api.models import *  # noqa: F403

from . import _request
from ._drift import DriftReport
from ._meta import ResponseInfo
from ._schema import SchemaViolation
from ._stream_accumulator import StreamAccumulator

if typing.TYPE_CHECKING:
    from ._request import CreateParams

# The wrapper's own names (a snapshot test lists them), then every generated one (they follow the spec).
__all__ = ["CreateParams", "DriftReport", "ResponseInfo", "SchemaViolation", "StreamAccumulator"]
__all__ += _generated_models.__all__
__all__ += _generated_params.__all__


def __getattr__(name: str) -> object:
    # CreateParams is built on first use (see _request): importing this module does not create it.
    if name == "CreateParams":
        globals()[name] = _request.CreateParams
        return _request.CreateParams
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
