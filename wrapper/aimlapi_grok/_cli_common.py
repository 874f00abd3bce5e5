"""Names shared by the `aimlapi-grok` command modules: exit statuses and the usage error."""

from __future__ import annotations

PROG = "aimlapi-grok"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_API_ERROR = 3
EXIT_NETWORK_ERROR = 4
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command line that cannot run (the message says why); exit status 2."""
