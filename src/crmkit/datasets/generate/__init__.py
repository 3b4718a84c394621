"""Seeded generator of the sample data: a fictional regional wholesale distributor.

Customers (retail shops) move month by month through the lifecycle stages of LC1 along the
four patterns of LC5; orders, service contacts, complaints, surveys and the shops' own
category purchases follow from their stage, size, format and market, so every lesson finds a
real signal in the data. One module per simulated process; `sample.generate` composes them
and `write.write_dataset` writes the CSVs. The words in names and complaint records are in
`words.csv`.
"""

from crmkit.datasets.generate.period import ANALYSIS_DATE, END, MONTHS, START
from crmkit.datasets.generate.sample import DEFAULT_SEED, generate, main_generate
from crmkit.datasets.generate.write import GENERATOR_VERSION, TABLES, write_dataset

__all__ = [
    "ANALYSIS_DATE",
    "DEFAULT_SEED",
    "END",
    "GENERATOR_VERSION",
    "MONTHS",
    "START",
    "TABLES",
    "generate",
    "main_generate",
    "write_dataset",
]
