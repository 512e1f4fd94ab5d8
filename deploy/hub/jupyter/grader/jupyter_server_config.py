"""A grader's JupyterLab on the hub."""

import os

from coursekit.grading.hub import GRADER_UMASK

c = get_config()  # noqa: F821 -- provided by Jupyter when it loads this file

# What a grader's server and kernels create (gradebook, grades, reports) is for the graders'
# group only.
os.umask(GRADER_UMASK)

# The Formgrader panel of JupyterLab's Nbgrader menu is an iframe of this same server.
# JupyterHub 4.1 and later forbid any framing of a user's server (frame-ancestors 'none',
# nbgrader issue #1870), so the panel would stay blank; 'self' allows it from the same origin
# and still forbids every other site. Students' servers keep JupyterHub's 'none'.
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
