"""The `aimlapi-grok` command: `chat` (streamed or JSON), `batch` (see _cli_batch), `emulator` (a local stand-in API).

Exit status: 0 success, 2 usage or configuration error (bad arguments, no key,
a request refused before sending), 3 API error (an error status or a broken
answer from the API), 4 network error (no HTTP answer: connect, timeout, a
dropped stream), 130 interrupted by Ctrl-C (the stream is closed first),
1 anything else (for example the reader of stdout went away).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ._cli_batch import add_batch_commands, add_emulator_traffic_options, emulator_traffic, run_batch_command
from ._cli_common import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, UsageError
from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from ._version import __version__

REASONING_EFFORTS = ("low", "medium", "high")
DEFAULT_EMULATOR_HOST = "127.0.0.1"
DEFAULT_EMULATOR_PORT = 8765

NO_KEY_MESSAGE = f"""\
{PROG}: no API key. Create one in your AIML API dashboard (sign in at https://aimlapi.com,
then open the API keys page) and set {API_KEY_ENV} to it, for example:

    export {API_KEY_ENV}=<your key>

Or try it offline against the embedded emulator (no key, no network):

    {PROG} chat --offline "Explain in two sentences why streaming matters for chat UIs."
    make demo
"""

EPILOG = """\
exit status: 0 ok, 2 usage or configuration error, 3 API error, 4 network error, 130 interrupted (Ctrl-C),
1 other failure
"""


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`, with a message naming the problem."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0..65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `aimlapi-grok` (subcommands `chat` and `emulator`)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Chat with x-ai/grok-4-1-fast-reasoning through the AIML API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser(
        "chat",
        help="send a prompt; stream the answer to stdout and a cost summary to stderr",
        description=(
            "Send a prompt and stream the answer to stdout as it arrives; a one-line summary "
            "(tokens, reasoning tokens, credits, USD, inference id) goes to stderr."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("prompt", nargs="?", help="the prompt; '-' or nothing (with piped input) reads stdin")
    chat.add_argument("--system", metavar="TEXT", help="a system prompt sent before the user prompt")
    chat.add_argument("--reasoning-effort", choices=REASONING_EFFORTS, help="how hard the model reasons")
    chat.add_argument("--max-tokens", type=_whole_number(1), metavar="N", help="upper bound on completion tokens")
    chat.add_argument("--temperature", type=_finite_float, metavar="T", help="sampling temperature, 0..2")
    chat.add_argument("--json", action="store_true", help="no streaming: print the final completion as JSON")
    chat.add_argument("--client-request-id", metavar="ID", help="your own id for the request (X-Client-Request-Id)")
    chat.add_argument(
        "--timeout",
        type=_finite_float,
        metavar="SECONDS",
        help=f"limit on each connect and each read, separately (default {DEFAULT_TIMEOUT:g})",
    )
    chat.add_argument(
        "--deadline",
        type=_finite_float,
        metavar="SECONDS",
        help="limit on the whole call, retries and the full answer included (default: none)",
    )
    chat.add_argument(
        "--max-retries",
        type=_whole_number(0),
        metavar="N",
        help="retries on 408/429/5xx and connection errors (default 2)",
    )
    where = chat.add_mutually_exclusive_group()
    where.add_argument(
        "--offline", action="store_true", help="answer from the embedded emulator on a loopback port (no key needed)"
    )
    where.add_argument(
        "--base-url", metavar="URL", help=f"API base URL (default: ${BASE_URL_ENV} or {DEFAULT_BASE_URL})"
    )

    emulator = commands.add_parser(
        "emulator",
        help="serve the spec-driven emulator of the API (needs the 'testing' extra)",
        description="Serve the spec-driven emulator of the chat completions API until Ctrl-C.",
    )
    emulator.add_argument("--port", type=_port, default=DEFAULT_EMULATOR_PORT, help="TCP port (default %(default)s)")
    emulator.add_argument("--host", default=DEFAULT_EMULATOR_HOST, help="interface to bind (default %(default)s)")
    add_emulator_traffic_options(emulator, _whole_number)
    add_batch_commands(commands, _whole_number, _finite_float)
    return parser


def read_prompt(argument: str | None, stdin: TextIO | None) -> str:
    """The prompt from the argument, or from stdin for '-' or for no argument with piped input."""
    if argument is not None and argument != "-":
        text = argument
    elif stdin is None:
        raise UsageError("no prompt: give one as an argument (stdin is not available)")
    elif argument is None and stdin.isatty():
        raise UsageError(f'no prompt: give one as an argument (`{PROG} chat "..."`) or pipe it on stdin')
    else:
        text = stdin.read()
    if not text.strip():
        raise UsageError("the prompt is empty")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "emulator":
            return _serve_emulator(args.host, args.port, **emulator_traffic(args))
        if args.command == "batch":
            return run_batch_command(args, sys.stdout, sys.stderr)
        # Imported here: the CLI's --help and --version do not pay for the chat command (~5 ms).
        from ._cli_chat import ChatOptions, run_chat  # noqa: PLC0415

        options = ChatOptions(
            prompt=read_prompt(args.prompt, sys.stdin),
            system=args.system,
            reasoning_effort=args.reasoning_effort,
            max_tokens=args.max_tokens,
            temperature=args.temperature,
            as_json=args.json,
            offline=args.offline,
            base_url=args.base_url or os.environ.get(BASE_URL_ENV) or None,
            api_key=None if args.offline else (os.environ.get(API_KEY_ENV) or "").strip() or None,
            client_request_id=args.client_request_id,
            timeout=args.timeout,
            deadline=args.deadline,
            max_retries=args.max_retries,
        )
        if options.api_key is None and not options.offline:
            sys.stderr.write(NO_KEY_MESSAGE)
            return EXIT_USAGE
        return run_chat(options, sys.stdout, sys.stderr)
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): silence the final flush and stop.
        _silence_stdout()
        return EXIT_FAILURE


def _serve_emulator(host: str, port: int, **traffic: Any) -> int:
    try:
        # Imported here: the emulator server (Starlette, uvicorn: ~90 ms) loads only for --offline / emulator.
        from .testing import serve  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            f"the emulator needs the testing extra ({exc.name or exc}): pip install 'aimlapi-grok[testing]'"
        ) from None
    sys.stderr.write(f"{PROG}: emulator on http://{host}:{port} (Ctrl-C stops it)\n")
    serve(host, port, **traffic)
    return EXIT_OK


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
