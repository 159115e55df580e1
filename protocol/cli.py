"""`python -m protocol advise COURSE.json|-` and `python -m protocol traceability`.

Invalid input never shows a traceback: exit 2 and one `field: why` line per problem on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from .advise import advise
from .course import CourseError, parse_course

EXIT_INVALID = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m protocol",
        description="CEREVANCE 2021 sirolimus (Rapamune®) protocol for paediatric ITP.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    advise_cmd = commands.add_parser(
        "advise",
        help="print the protocol's advice (JSON) for a treatment course",
        description="Read a course (JSON, see docs/advise-contract.md) and print the advice as "
        "JSON. Exit 0; invalid input: exit 2, one 'field: why' line per problem.",
    )
    advise_cmd.add_argument("course", help="course JSON file, or - for standard input")
    trace_cmd = commands.add_parser(
        "traceability",
        help="print docs/traceability.md (rule → code → tests)",
        description="Generate the rule → code → tests table from the sources.",
    )
    trace_cmd.add_argument("--write", action="store_true", help="write docs/traceability.md")
    args = parser.parse_args(argv)
    if args.command == "traceability":
        from .traceability import generate, write  # only this command needs it

        if args.write:
            write()
        else:
            sys.stdout.write(generate())
        return 0
    return _advise(args.course)


def _advise(path: str) -> int:
    try:
        text = sys.stdin.read() if path == "-" else _read(path)
        data = json.loads(text, parse_constant=_reject_constant)
        advice = advise(parse_course(data))
    except CourseError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    except _InputError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except json.JSONDecodeError as error:
        print(
            f"course: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})",
            file=sys.stderr,
        )
        return EXIT_INVALID
    except UnicodeDecodeError:
        print("course: not UTF-8 text", file=sys.stderr)
        return EXIT_INVALID
    sys.stdout.reconfigure(encoding="utf-8")
    try:
        sys.stdout.write(json.dumps(advice.to_dict(), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `… | head`: the reader left, nothing more to say
        sys.stdout = None
    return 0


class _InputError(Exception):
    pass


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError as error:
        raise _InputError(f"course: cannot read {path!r} ({error.strerror})") from error


def _reject_constant(name: str):
    """JSON has no NaN or Infinity; Python's parser would accept them."""
    raise _InputError(f"course: not valid JSON ({name} is not a JSON number)")
