"""Sample data: generate it, load it typed, and check a trainer's own files."""

from crmkit.datasets.load import (
    SampleData,
    ValidationReport,
    data_note,
    format_report,
    load,
    load_sample,
    validate_path,
)

__all__ = [
    "SampleData",
    "ValidationReport",
    "data_note",
    "format_report",
    "load",
    "load_sample",
    "validate_path",
]
