"""Every type an app touches, from one package: the generated models and the request TypedDicts.

``from aimlapi_grok.types import ChatCompletion, UserMessage, ReasoningParam`` works for
whichever spec the client was generated from: the names are the spec's component names
(``aimlapi_grok_api.models``) and their ``...Param`` TypedDicts (``aimlapi_grok_api._params``).
Importing this module loads the generated models (attrs); ``import aimlapi_grok`` does not.
"""

from aimlapi_grok_api._params import *  # noqa: F403
from aimlapi_grok_api.models import *  # noqa: F403
