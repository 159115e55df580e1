"""`make bench`: seed an isolated database with a synthetic registry and measure the pages,
their SQL query counts, the engine and the command line, on this machine, in one run.

    uv run python -m sirolimus_app.bench [--sizes 1000 10000] [--repeat 11]

The database is a fresh SQLite file in a temporary folder (BENCH_DATABASE_URL selects
another, e.g. an empty PostgreSQL database), so no real data is ever touched.
"""

import argparse
import os
import sys
import tempfile


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sirolimus_app.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000],
                        metavar=("SMALL", "LARGE"), help="registry sizes (patients)")
    parser.add_argument("--repeat", type=int, default=11, help="requests per page (median)")
    parser.add_argument("--output", default="docs/benchmarks.md",
                        help="where to write the report")
    args = parser.parse_args(argv)
    if not 0 < args.sizes[0] < args.sizes[1]:
        parser.error("--sizes needs 0 < SMALL < LARGE")

    workdir = tempfile.mkdtemp(prefix="sirolimus-bench-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    # Development settings: static files from the finders, no HTTPS redirect; the production
    # middleware stack is otherwise the same for every page, the floor included.
    os.environ["DEBUG"] = "1"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirolimus_app.settings")
    import django

    django.setup()
    from sirolimus_app.bench.measure import run

    return run(sizes=tuple(args.sizes), repeat=args.repeat, output=args.output,
               workdir=workdir)


if __name__ == "__main__":
    sys.exit(main())
