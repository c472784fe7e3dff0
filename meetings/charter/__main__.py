"""`python -m meetings.charter evaluate CASE.json`: print the charter's result for each case.

Exit codes: 0 with the result as JSON on stdout; 2 with one message per problem on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from meetings.charter.errors import DocumentError
from meetings.charter.evaluate import evaluate_document

EXIT_INVALID = 2


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m meetings.charter",
        description="The charter rules engine of the cell-meeting app.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a case file (one case object, or a list of cases)",
    )
    evaluate.add_argument("file", type=Path, help="the case file (JSON)")
    return parser


def _error(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    path: Path = arguments.file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _error(f"{path}: no such file")
    except UnicodeDecodeError as error:
        return _error(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        return _error(f"{path}: cannot be read ({error.strerror})")
    try:
        document: object = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        return _error(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        )
    except ValueError as error:
        return _error(f"{path}: not valid JSON: {error}")
    try:
        result = evaluate_document(document)
    except DocumentError as invalid:
        for problem in invalid.errors:
            _error(f"{path}: {problem}")
        return EXIT_INVALID
    output = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    # Bytes, so the Vietnamese text survives whatever encoding the terminal announces.
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
