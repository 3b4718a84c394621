"""Sample data: generate it, load it typed, and check a trainer's own files."""

from crmkit.datasets.load import SampleData, load_sample

__all__ = ["SampleData", "load_sample"]
