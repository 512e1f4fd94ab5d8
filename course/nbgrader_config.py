"""nbgrader configuration for the coursekit course.

Works on one machine with no set-up: the gradebook is a SQLite file and the
exchange (where released, fetched and submitted assignments pass) is a folder
inside the course; both are ignored by git. For a shared server or a large
class, see "Running a course for a class" in the README.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "coursekit"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = os.environ.get(
    "COURSEKIT_DB_URL", "sqlite:///" + os.path.join(here, "gradebook.db")
)
c.Exchange.root = os.environ.get("COURSEKIT_EXCHANGE", os.path.join(here, "exchange"))

# Students write reflections; a notebook that loops forever must not hold up a
# whole class's autograding.
c.ExecutePreprocessor.timeout = 120
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows the outcome and the points of every test, but not the hidden tests nor the
# message of one that failed (nbgrader shows them by design, issue #917), and not the grading
# notes written for the Formgrader. nbgrader's own two steps come first, as nbgrader lists them.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "coursekit.grading.feedback.HideHiddenTests",
]
