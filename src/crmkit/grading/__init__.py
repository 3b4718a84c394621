"""Batch grading of exercise notebooks (`crmkit grade`), built on nbgrader's format.

`submissions` finds the notebooks in a folder or an LMS zip and names their
students; `restore` recognises a notebook's exercise set and rebuilds its
graded cells from `solutions/`, whatever the student did to them.
"""
