"""The repo as an nbgrader course: sources in solutions/, student versions in exercises/."""

c = get_config()  # noqa: F821 (injected by nbgrader)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.course_id = "crmkit-workbook"

# The stub a learner sees: the answer line above keeps `answer = ...`, so an
# unanswered question still runs and its test cell says "not answered yet".
c.ClearSolutions.code_stub = {
    "python": "# YOUR ANSWER: replace each ... above (or edit the template above), "
    "then run this cell"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearOutput.enabled = True
c.Execute.timeout = 120
# A graded cell the learner deleted is put back (and scored), as `crmkit grade` does.
c.OverwriteCells.add_missing_cells = True
