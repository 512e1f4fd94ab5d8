"""A student's JupyterLab on the hub: the assignment list and validation, no Formgrader."""

import os

from coursekit.grading.hub import STUDENT_UMASK

c = get_config()  # noqa: F821 -- provided by Jupyter when it loads this file

# What a student's server and kernels create is theirs alone (the answers file is 0600 anyway).
os.umask(STUDENT_UMASK)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}
