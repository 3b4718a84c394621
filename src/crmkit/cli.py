"""The `crmkit` command: sample data, data validation and grading.

Every user mistake ends in a short message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from crmkit.errors import CrmkitError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmkit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="make or check data").add_subparsers(
        dest="action", required=True
    )
    gen = data.add_parser("generate", help="write the seeded sample data as CSV")
    gen.add_argument("--customers", type=int, default=2000, help="number of customers")
    gen.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    gen.add_argument("--out", type=Path, default=None, help="output folder (default: datasets/)")

    val = data.add_parser("validate", help="check a CSV or .xlsx file against the data dictionary")
    val.add_argument("path", type=Path, help="the file to check")
    val.add_argument("--kind", required=True, help="table name, e.g. customers or orders")
    val.add_argument("--as-of", default=None, help="analysis date YYYY-MM-DD (no dates after it)")
    val.add_argument("--customers", type=Path, default=None, help="customers file for id checks")
    val.add_argument(
        "--encoding",
        default=None,
        help="how a CSV file is saved, e.g. utf-8, gb18030, gbk (default: detect; "
        "a file whose encoding is not certain is refused)",
    )

    grade = sub.add_parser("grade", help="grade a folder or zip of exercise notebooks")
    grade.add_argument("submissions", type=Path, help="folder of .ipynb files, or a zip of them")
    grade.add_argument(
        "--out", type=Path, required=True, help="folder for grades.csv, feedback/, gradebook"
    )
    grade.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores)")
    grade.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell")
    grade.add_argument("--memory", type=int, default=2048, help="MB allowed per kernel")
    grade.add_argument("--solutions", type=Path, default=None, help="exercise sources")
    grade.add_argument(
        "--no-sandbox", action="store_true", help="do not run kernels in bubblewrap even if usable"
    )
    grade.set_defaults(action="run")
    return parser


def _grade(args: argparse.Namespace) -> int:
    import logging
    import tempfile

    from crmkit.grading.batch import (
        grade_all,
        isolation_for,
        print_progress,
        summary,
        write_grades_csv,
    )
    from crmkit.grading.report import record_run, write_feedback

    # A kernel stopped at its time limit leaves asyncio tasks behind; their notices are noise.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    solutions = args.solutions or Path(__file__).resolve().parents[2] / "solutions"
    if not solutions.is_dir():
        raise CrmkitError(f"no solutions folder at {solutions}; pass --solutions")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crmkit-grading-") as workdir:
        isolation, note = isolation_for(
            args.submissions, solutions, args.out, Path(workdir), sandbox=not args.no_sandbox
        )
        results = grade_all(
            args.submissions, solutions, jobs=args.jobs, timeout=args.timeout,
            memory_mb=args.memory, progress=print_progress, isolation=isolation,
        )  # fmt: skip
    path = write_grades_csv(results, args.out / "grades.csv")
    write_feedback(results, args.out / "feedback")
    record_run(results, args.out / "gradebook.sqlite", str(args.submissions))
    print(summary(results, note))
    print(f"Wrote {path}, feedback/ and gradebook.sqlite in {args.out}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from crmkit.datasets import generate as gen
    from crmkit.datasets.paths import data_dir

    if args.customers < 1:
        raise CrmkitError("--customers must be at least 1")
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    out = args.out if args.out is not None else data_dir()
    gen.main_generate(customers=args.customers, seed=seed, out=out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from crmkit.datasets.load import format_report, validate_path

    report = validate_path(
        args.path,
        args.kind,
        as_of=args.as_of,
        customers_path=args.customers,
        encoding=args.encoding,
    )
    print(format_report(report))
    return 0 if not report.problems else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    handler = {"data": {"generate": _generate, "validate": _validate}, "grade": {"run": _grade}}
    try:
        return handler[args.command][args.action](args)
    except CrmkitError as err:
        print(f"crmkit: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
