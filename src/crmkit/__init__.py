"""crmkit: the library behind the customer-management workbook.

Notebooks import the topic modules (classification, ...), the plots and the
widgets from here, so every number a lesson shows is tested code.
"""

__version__ = "0.1.0"

from crmkit import notebook as _notebook

_notebook.install_if_in_notebook()  # a part the data cannot support: a sentence, not an error
