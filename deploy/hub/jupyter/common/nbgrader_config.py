"""nbgrader's configuration for every user of the hub: the server's global nbgrader config.

The hub puts this folder on each user's JUPYTER_CONFIG_PATH (it is what /etc/jupyter/ would be
on a server set up by hand). coursekit's confidential exchange over the course layout under
COURSEKIT_HUB_ROOT (/srv/nbgrader by default); for a grader of exactly one course, that
course's own nbgrader_config.py too, so that the Formgrader and nbgrader's commands work on it
from anywhere. A grader of several courses runs nbgrader in the course's folder, or opens the
Formgrader with ?path=<course folder>.
"""

from coursekit.grading.hub import Layout, configure_nbgrader

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

course = configure_nbgrader(c, Layout.from_env())
if course is not None:
    load_subconfig(str(course / "nbgrader_config.py"))  # noqa: F821 -- provided by traitlets
