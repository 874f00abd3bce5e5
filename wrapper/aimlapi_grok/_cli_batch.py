"""`aimlapi-grok batch run|status|export`, and the emulator's traffic options (rate limits, seeded faults).

Exit status of `batch run`: 0 every request has a completion, 3 finished but
some requests failed (their lines carry the error), 5 stopped early (budget
reached, or the key was refused) with requests left to send on the next run,
2 input or usage problems (nothing sent), 130 interrupted (resume with the same
command).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._async_client import AsyncGrok
from ._cli_common import EXIT_API_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, UsageError, offline_emulator
from ._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from ._cost import parse_budget
from ._errors import ConfigurationError
from .batch._control import DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_CONCURRENCY

if TYPE_CHECKING:
    from .batch._report import BatchReport

EXIT_STOPPED = 5
JOURNAL_SUFFIX = ".journal.db"
BATCH_EPILOG = """\
exit status (run): 0 all requests answered, 3 some failed (see their lines), 5 stopped early (budget or
key refused; run again to resume), 2 input or usage problem (nothing sent), 130 interrupted (run again to resume)
"""


def add_batch_commands(
    commands: Any, whole_number: Callable[[int], Callable[[str], int]], finite: Callable[[str], float]
) -> None:
    """The `batch` command and its subcommands (`commands` is the parent's subparsers object)."""
    batch = commands.add_parser(
        "batch",
        help="run a JSONL or text file of requests: resumable, rate-adaptive, with a journal",
        description="Batch runs of chat completions (OpenAI Batch API input and output formats).",
        epilog=BATCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = batch.add_subparsers(dest="batch_command", metavar="SUBCOMMAND", required=True)
    run = sub.add_parser(
        "run",
        help="send every request without a result in the journal; write the output",
        epilog=BATCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "input_file",
        metavar="INPUT",
        type=Path,
        help="JSONL (OpenAI batch lines or {custom_id, messages, ...}) or text",
    )
    run.add_argument("--out", type=Path, required=True, help="output JSONL (OpenAI Batch API output lines)")
    run.add_argument("--journal", type=Path, help=f"the journal (default: <out>{JOURNAL_SUFFIX})")
    run.add_argument("--format", choices=("auto", "jsonl", "text"), default="auto", help="input format")
    run.add_argument(
        "--concurrency", type=whole_number(1), default=DEFAULT_CONCURRENCY, metavar="N", help="start (%(default)s)"
    )
    run.add_argument(
        "--max-concurrency",
        type=whole_number(1),
        default=DEFAULT_MAX_CONCURRENCY,
        metavar="N",
        help="ceiling (%(default)s)",
    )
    run.add_argument("--max-requests-per-minute", type=whole_number(1), metavar="N", help="cap on requests sent")
    run.add_argument("--max-tokens-per-minute", type=whole_number(1), metavar="N", help="cap on tokens used")
    run.add_argument("--budget-usd", metavar="USD", help="stop scheduling when spent + in flight would pass it")
    run.add_argument(
        "--max-attempts",
        type=whole_number(1),
        default=DEFAULT_MAX_ATTEMPTS,
        metavar="N",
        help="sends per request (%(default)s)",
    )
    run.add_argument("--retry-failed", action="store_true", help="send the requests that failed before again")
    run.add_argument("--skip-invalid", action="store_true", help="send the valid lines, record invalid ones failed")
    run.add_argument("--shard", metavar="I/N", help="run only shard I of N (by custom_id), with its own journal")
    run.add_argument(
        "--timeout", type=finite, metavar="SECONDS", help=f"per request timeout (default {DEFAULT_TIMEOUT:g})"
    )
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.add_argument("--json", action="store_true", help="the final report as JSON on stdout")
    run.add_argument("--progress-interval", type=finite, default=5.0, metavar="S", help=argparse.SUPPRESS)
    where = run.add_mutually_exclusive_group()
    where.add_argument("--offline", action="store_true", help="answer from the embedded emulator (no key needed)")
    where.add_argument(
        "--base-url", metavar="URL", help=f"API base URL (default: ${BASE_URL_ENV} or {DEFAULT_BASE_URL})"
    )
    status = sub.add_parser("status", help="counts, cost and the errors grouped, from a journal")
    status.add_argument("journal", type=Path)
    status.add_argument("--json", action="store_true", help="as JSON on stdout")
    export = sub.add_parser("export", help="write the output JSONL (input order) from a journal")
    export.add_argument("journal", type=Path)
    export.add_argument("--out", type=Path, required=True)


def add_emulator_traffic_options(
    emulator: argparse.ArgumentParser, whole_number: Callable[[int], Callable[[str], int]]
) -> None:
    """`aimlapi-grok emulator` options for the rate-limit mode and the seeded fault mix."""
    emulator.add_argument(
        "--requests-per-minute", type=whole_number(1), metavar="N", help="429 past N requests/min per key"
    )
    emulator.add_argument(
        "--concurrent-requests", type=whole_number(1), metavar="N", help="429 past N answers at once per key"
    )
    emulator.add_argument(
        "--faults", metavar="MIX", help="seeded fault shares, e.g. 429=0.05,500=0.02,503=0.02,drop=0.01,slow=0.05"
    )
    emulator.add_argument("--seed", type=whole_number(0), default=0, help="seed of the fault mix (default 0)")
    emulator.add_argument("--slow-seconds", type=float, default=0.5, help="delay of a slow answer (default 0.5)")


def emulator_traffic(args: argparse.Namespace) -> dict[str, Any]:
    """`serve()` keywords from the emulator's traffic options."""
    # Imported here: the emulator's fault parsing loads only for `batch run --faults`.
    from .testing._faults import FaultSpecError  # noqa: PLC0415

    # Imported here: the emulator's traffic model (~10 ms) loads only when the batch command needs it.
    from .testing._traffic import RateLimit, parse_fault_mix  # noqa: PLC0415

    try:
        limit = None
        if args.requests_per_minute or args.concurrent_requests:
            limit = RateLimit(args.requests_per_minute, args.concurrent_requests)
        mix = parse_fault_mix(args.faults, seed=args.seed, slow_seconds=args.slow_seconds) if args.faults else None
    except FaultSpecError as exc:
        raise UsageError(str(exc)) from None
    return {"rate_limit": limit, "fault_mix": mix}


def run_batch_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Dispatch `batch run|status|export`."""
    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._input import BatchInputError  # noqa: PLC0415

    try:
        if args.batch_command == "status":
            return _status(args, out)
        if args.batch_command == "export":
            return _export(args, err)
        return _run(args, out, err)
    except BatchInputError as exc:
        err.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE


def _status(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._journal import open_existing  # noqa: PLC0415

    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._output import status, status_lines  # noqa: PLC0415

    with open_existing(args.journal) as journal:
        summary = status(journal)
    out.write(json.dumps(summary, indent=2) + "\n" if args.json else "\n".join(status_lines(summary)) + "\n")
    return EXIT_OK


def _export(args: argparse.Namespace, err: TextIO) -> int:
    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._journal import open_existing  # noqa: PLC0415

    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._output import export  # noqa: PLC0415

    with open_existing(args.journal) as journal:
        count = export(journal, args.out)
    err.write(f"{PROG}: wrote {count} line(s) to {args.out}\n")
    return EXIT_OK


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._input import BatchInputError, Shard, read_input  # noqa: PLC0415

    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._journal import Journal  # noqa: PLC0415

    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._output import export  # noqa: PLC0415

    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._progress import progress_display  # noqa: PLC0415

    try:
        shard = Shard.parse(args.shard) if args.shard else None
        budget = parse_budget(args.budget_usd)
    except (ValueError, ConfigurationError) as exc:
        raise UsageError(str(exc)) from None
    if not args.input_file.is_file():
        raise UsageError(f"no input file at {args.input_file}")
    if args.concurrency > args.max_concurrency:
        raise UsageError(f"--concurrency {args.concurrency} is above --max-concurrency {args.max_concurrency}")
    parsed = read_input(args.input_file, args.format)
    if parsed.problems and not args.skip_invalid:
        raise BatchInputError(parsed.problems)
    journal_path = args.journal or args.out.with_name(args.out.name + JOURNAL_SUFFIX)
    with Journal(journal_path) as journal:
        try:
            with (
                _endpoint(args) as (base_url, api_key),
                progress_display(err, quiet=args.quiet, interval=args.progress_interval) as display,
            ):
                report = asyncio.run(
                    _run_with_client(
                        base_url,
                        api_key,
                        args.timeout,
                        requests=parsed,
                        journal=journal,
                        concurrency=args.concurrency,
                        max_concurrency=args.max_concurrency,
                        max_requests_per_minute=args.max_requests_per_minute,
                        max_tokens_per_minute=args.max_tokens_per_minute,
                        budget_usd=budget,
                        retry_failed=args.retry_failed,
                        skip_invalid=args.skip_invalid,
                        max_attempts=args.max_attempts,
                        shard=shard,
                        on_progress=display,
                    )
                )
        except KeyboardInterrupt:
            count = export(journal, args.out)
            err.write(f"\n{PROG}: interrupted; {count} line(s) in {args.out}; run the same command to resume\n")
            return EXIT_INTERRUPTED
        export(journal, args.out)
    for line in report.lines():
        err.write(line + "\n")
    if report.stop_reason:
        err.write(f"{PROG}: stopped: {report.stop_reason}; run again (with a higher --budget-usd) to resume\n")
    if args.json:
        out.write(json.dumps(report.to_json(), indent=2) + "\n")
    if not report.complete:
        return EXIT_STOPPED
    return EXIT_API_ERROR if report.failed else EXIT_OK


async def _run_with_client(base_url: str | None, api_key: str, timeout: float | None, **options: Any) -> BatchReport:
    # Imported here: the batch machinery (SQLite journal, runner: 10-30 ms) loads only for the batch command.
    from .batch._runner import run_batch  # noqa: PLC0415

    client_options: dict[str, Any] = {"base_url": base_url}
    if timeout is not None:
        client_options["timeout"] = timeout
    async with AsyncGrok(api_key=api_key, **client_options) as client:
        return await run_batch(client, **options)


@contextlib.contextmanager
def _endpoint(args: argparse.Namespace) -> Iterator[tuple[str | None, str]]:
    """(base URL, key): from the options and environment, or those of an emulator started for the run."""
    if not args.offline:
        api_key = (os.environ.get(API_KEY_ENV) or "").strip()
        if not api_key:
            raise UsageError(f"no API key: set {API_KEY_ENV} (or use --offline to try the emulator)")
        yield args.base_url or os.environ.get(BASE_URL_ENV) or None, api_key
        return
    with offline_emulator() as endpoint:
        yield endpoint
