"""Batch grading of exercise notebooks (`crmkit grade`), built on nbgrader's format.

`submissions` finds the notebooks in a folder or an LMS zip and names their
students; `restore` recognises a notebook's exercise set and rebuilds its
graded cells from `solutions/`, whatever the student did to them; `run` runs
one submission in its own kernel (in the bubblewrap `sandbox` where it works),
with its test cells turned into export cells; `transfer` carries the answers
out as data and `outside` runs the checks on them in the grader's process;
`batch` grades many in parallel and `report` writes feedback and the gradebook.
"""
