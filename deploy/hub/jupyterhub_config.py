"""JupyterHub for a coursekit class on one server (see README.md beside this file).

Every student and instructor is a Unix user of the server; the hub (run as root) logs them in
with their Unix password (PAM) and starts each one's JupyterLab as that user, so the kernel
checks every file they open. Who grades what follows the course layout that `coursekit hub
setup` makes under COURSEKIT_HUB_ROOT (/srv/nbgrader by default): the members of a course's
graders group get the Formgrader, the others a student's JupyterLab.

    sudo COURSEKIT_HUB_ROOT=/srv/nbgrader jupyterhub -f /path/to/deploy/hub/jupyterhub_config.py

Settings that differ from server to server come from the environment:
COURSEKIT_HUB_URL (where the hub listens, default http://127.0.0.1:8000: put HTTPS in front of
it, see README.md) and COURSEKIT_HUB_STATE (the hub's own database and cookie secret,
/srv/jupyterhub by default).
"""

import os
import shutil
import sys
from pathlib import Path

from coursekit.grading import hub

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

here = Path(__file__).resolve().parent
layout = hub.Layout.from_env()
state = Path(os.environ.get("COURSEKIT_HUB_STATE", "/srv/jupyterhub"))
state.mkdir(mode=0o700, parents=True, exist_ok=True)

c.JupyterHub.bind_url = os.environ.get("COURSEKIT_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# The proxy: configurable-http-proxy, from the repository's node_modules (`npm ci` at its root)
# if it is there, else from PATH.
local_proxy = here.parent.parent / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_proxy) if local_proxy.exists()
                                   else shutil.which("configurable-http-proxy") or "configurable-http-proxy"]

# Log in with the Unix password; only the members of a course (its students group, which
# holds its graders too) may. A course added later needs a restart of the hub.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = hub.students_groups(layout)

# Each user's JupyterLab from this same Python environment, started as that user.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {hub.ROOT_ENV: str(layout.root)}


def choose_role(spawner):
    """A grader's JupyterLab opens on the course folders and has the Formgrader; a student's opens
    on their home and has the assignment list only. The two jupyter/ folders here say how."""
    grader = hub.is_grader(spawner.user.name, layout)
    role = "grader" if grader else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(here / "jupyter" / role), str(here / "jupyter" / "common")])
    if grader:
        # The Formgrader works only on a course folder inside the server's root folder.
        spawner.notebook_dir = str(layout.courses)


c.Spawner.pre_spawn_hook = choose_role
