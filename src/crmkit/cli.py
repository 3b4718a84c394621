"""The `crmkit` command: sample data, data validation and grading.

Every user mistake ends in a short message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from crmkit.errors import CrmkitError


def _reading_options(command: argparse.ArgumentParser) -> None:
    """--date-order and --decimal: what a file's dates and numbers do not say themselves."""
    command.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default=None,
        help="how dates like 31.01.1997 or 01/31/1997 are written: day first (dmy) or month "
        "first (mdy); without it such dates are refused, never guessed",
    )
    command.add_argument(
        "--decimal",
        choices=(".", ","),
        default=".",
        help="the decimal mark of the file's numbers (',' for 1.286,01)",
    )


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
    gen.add_argument(
        "--force",
        action="store_true",
        help="write into a folder holding files crmkit did not write (they are moved to a "
        "backup-N folder inside it first)",
    )

    use = data.add_parser("use", help="make a folder of your own data the lessons' data")
    use.add_argument("folder", type=Path, nargs="?", help="the folder (orders.csv at least)")
    use.add_argument("--sample", action="store_true", help="back to the sample data")
    for command in (use,):
        _reading_options(command)
    check = data.add_parser(
        "check", help="load a data folder and say what it leaves out and what that changes"
    )
    check.add_argument("folder", type=Path, help="the folder (orders.csv at least)")
    _reading_options(check)
    check.add_argument(
        "--lessons",
        action="store_true",
        help="also run every lesson on it and list, per lesson, the parts it cannot show "
        "(about a minute)",
    )

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
    val.add_argument(
        "--columns",
        type=Path,
        default=None,
        help="mapping file (table,their_column,field) saying which column is which "
        "(default: a columns.csv beside the file)",
    )
    val.add_argument(
        "--sheet",
        default=None,
        help="the sheet of an .xlsx workbook that holds the table: its name, or its position "
        "from 0 (default: the first sheet)",
    )
    _reading_options(val)

    grade = sub.add_parser(
        "grade",
        help="grade a folder or zip of exercise notebooks",
        epilog="Written answers marked by hand: `crmkit grade mark --help`; grades.csv and "
        "feedback again after marking: `crmkit grade report --help`.",
    )
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


#: `crmkit grade <action>`: what a grader does after a run. Parsed apart from
#: `crmkit grade <submissions>`, whose first argument is a path.
GRADE_ACTIONS = ("mark", "report")


def _grade_action_parser(action: str) -> argparse.ArgumentParser:
    if action == "mark":
        parser = argparse.ArgumentParser(
            prog="crmkit grade mark",
            description="Record the marks of manually graded (written) answers in the gradebook: "
            "one with --student, --question and --points, or a CSV of them with --from. All "
            "marks are checked first; if any is wrong, none is recorded.",
        )
        parser.add_argument("--gradebook", type=Path, required=True, help="gradebook.sqlite")
        parser.add_argument("--student", help="the student, as in grades.csv")
        parser.add_argument(
            "--question", help="its grade id or question, e.g. q8, ex01.q8 or q8_answer"
        )
        parser.add_argument("--points", type=float, help="points given (0 to the question's most)")
        parser.add_argument("--comment", default="", help="a word for the learner's feedback")
        parser.add_argument(
            "--from", dest="from_csv", type=Path, help="CSV: student,question,points[,comment]"
        )
        return parser
    parser = argparse.ArgumentParser(
        prog="crmkit grade report",
        description="Write grades.csv and feedback/ again from the gradebook (after marking).",
    )
    parser.add_argument("--gradebook", type=Path, required=True, help="gradebook.sqlite")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for them (default: the gradebook's)"
    )
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
    # The gradebook first: a mark given by hand to an unchanged answer carries over.
    record_run(results, args.out / "gradebook.sqlite", str(args.submissions))
    path = write_grades_csv(results, args.out / "grades.csv")
    write_feedback(results, args.out / "feedback")
    print(summary(results, note))
    print(f"Wrote {path}, feedback/ and gradebook.sqlite in {args.out}")
    return 0


def _mark(args: argparse.Namespace) -> int:
    from crmkit.grading.marks import Mark, read_marks_csv, record_marks

    one = (args.student, args.question, args.points)
    if args.from_csv is not None:
        if any(v is not None for v in one):
            raise CrmkitError("give either --from or --student/--question/--points, not both")
        marks = read_marks_csv(args.from_csv)
    elif any(v is None for v in one):
        raise CrmkitError("give --student, --question and --points (or --from a CSV of marks)")
    else:
        marks = [Mark(args.student, args.question, args.points, args.comment)]
    recorded = record_marks(args.gradebook, marks)
    for r in recorded:
        print(f"{r.student} {r.exercise_set}.{r.grade_id}: {r.points:g} / {r.max_points:g}")
    print(
        f"Recorded {len(recorded)} mark(s) in {args.gradebook}. "
        f"Write grades.csv and feedback again: crmkit grade report --gradebook {args.gradebook}"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from crmkit.grading.batch import write_grades_csv
    from crmkit.grading.gradebook import load_results
    from crmkit.grading.report import write_feedback

    results = load_results(args.gradebook)
    out = args.out if args.out is not None else args.gradebook.parent
    path = write_grades_csv(results, out / "grades.csv")
    write_feedback(results, out / "feedback")
    waiting = sum(len(r.pending) for r in results)
    print(f"Wrote {path} and feedback/ for {len(results)} submissions in {out}.")
    if waiting:
        print(f"{waiting} written answers are still to be marked (empty in grades.csv).")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from crmkit.datasets import generate as gen
    from crmkit.datasets import paths

    if args.customers < 1:
        raise CrmkitError("--customers must be at least 1")
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    # the sample's folder unless told otherwise; never the folder the lessons were pointed at
    out = args.out if args.out is not None else paths.SAMPLE_DIR
    gen.main_generate(customers=args.customers, seed=seed, out=out, force=args.force)
    return 0


def _formats(args: argparse.Namespace):
    from crmkit.datasets.values import ValueFormats

    return ValueFormats(date_order=args.date_order, decimal=args.decimal)


def _describe(data) -> str:
    dates = data.orders["order_date"]
    return (
        f"{len(data.customers):,} customers, {len(data.orders):,} orders from "
        f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}; analysis date "
        f"{data.analysis_date:%Y-%m-%d}"
    )


def _use(args: argparse.Namespace) -> int:
    from crmkit import own_data
    from crmkit.datasets import paths

    if args.sample or args.folder is None:
        if not args.sample:
            print(f"The lessons read {paths.data_dir()}.")
            return 0
        own_data.use_sample()
        print(f"The lessons read the sample data again ({paths.SAMPLE_DIR}).")
        return 0
    data = own_data.use_folder(args.folder, _formats(args))
    print(f"The lessons now read {args.folder.resolve()}: {_describe(data)}.")
    for note in data.notes:
        print(f"note: {note}")
    print("Back to the sample: crmkit data use --sample")
    return 0


def _check(args: argparse.Namespace) -> int:
    from crmkit import own_data
    from crmkit.datasets.load import load_sample

    data = load_sample(args.folder, formats=_formats(args))
    print(f"OK: {args.folder}: {_describe(data)}.")
    for note in data.notes:
        print(f"note: {note}")
    if args.lessons:
        reports = own_data.lesson_report(args.folder, _formats(args))
        print(own_data.format_lesson_report(reports))
        return 1 if any(r.errors for r in reports) else 0
    return 0


def _validate(args: argparse.Namespace) -> int:
    from crmkit.datasets.load import format_report, validate_path

    report = validate_path(
        args.path,
        args.kind,
        as_of=args.as_of,
        customers_path=args.customers,
        encoding=args.encoding,
        columns=args.columns,
        formats=_formats(args),
        sheet=int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet,
    )
    print(format_report(report))
    return 0 if not report.problems else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) > 1 and argv[0] == "grade" and argv[1] in GRADE_ACTIONS:
        args = _grade_action_parser(argv[1]).parse_args(argv[2:])
        args.command, args.action = "grade", argv[1]
    else:
        args = _parser().parse_args(argv)
    handler = {
        "data": {"generate": _generate, "validate": _validate, "use": _use, "check": _check},
        "grade": {"run": _grade, "mark": _mark, "report": _report},
    }
    try:
        return handler[args.command][args.action](args)
    except CrmkitError as err:
        print(f"crmkit: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
