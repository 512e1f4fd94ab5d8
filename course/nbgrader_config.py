"""nbgrader configuration for the coursekit course.

Works on one machine with no set-up: the gradebook is a SQLite file and the
exchange (where released, fetched and submitted assignments pass) is a folder
inside the course; both are ignored by git. For a gradebook server, a shared
exchange on JupyterHub or a large class, see "A class at scale" in the README
(its parts "A gradebook server: PostgreSQL" and "Beyond one machine").
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "coursekit"
c.CourseDirectory.root = here
# nbgrader copies every other file of a module's folder into release/ (to the students),
# autograded/ and feedback/. The instructor's model answers stay in source/: nbgrader's own
# list, plus their file. (`coursekit check` fails if a course's configuration leaves it out.)
# nbgrader's list also has "feedback", for its own feedback/ folder, which is never inside a
# module; it would match the feedback module's folder and skip every file of it, so it is not
# here (`coursekit check` fails on a pattern that matches a module's folder).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "model-answers.toml"]
c.CourseDirectory.db_url = os.environ.get(
    "COURSEKIT_DB_URL", "sqlite:///" + os.path.join(here, "gradebook.db")
)
own_exchange = os.path.join(here, "exchange")
c.Exchange.root = os.environ.get("COURSEKIT_EXCHANGE", own_exchange)
# nbgrader collect warns "... claims to be submitted by ada but is owned by you; cheating
# attempt?" when a submission's owner is not the student it names. In the course's own
# exchange folder every submission is the instructor's (one machine: a rehearsal, or
# students' work copied in), so the check only cries wolf; on a shared exchange
# (COURSEKIT_EXCHANGE, each student a user of their own) it stays on.
c.ExchangeCollect.check_owner = os.path.abspath(c.Exchange.root) != own_exchange

# Students write reflections; a notebook that loops forever must not hold up a
# whole class's autograding.
c.ExecutePreprocessor.timeout = 120
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# nbgrader warns "checksum has changed" at autograde for every test cell with hidden tests,
# edited or not (nbgrader issue #1961); coursekit's step puts them back the same way and warns
# only when a student did change the cell (coursekit.grading.hidden_tests). nbgrader's own
# steps otherwise, in its order.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.grading.hidden_tests.RestoreHiddenTests",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows the outcome and the points of every test, but not the hidden tests nor the
# message of one that failed (nbgrader shows them by design, issue #917), and not the grading
# notes written for the Formgrader. nbgrader's own two steps come first, as nbgrader lists them.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "coursekit.grading.feedback.HideHiddenTests",
]
