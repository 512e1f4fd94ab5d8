"""nbgrader run from the repository root works on the course in course/, as from course/ itself.

Without this file, nbgrader would take the repository root for a course directory
of its own and leave a gradebook.db (and empty release/ or submitted/ folders) here.
The course's settings are all in course/nbgrader_config.py.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "course", "nbgrader_config.py"))  # noqa: F821
