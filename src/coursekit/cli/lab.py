"""``coursekit lab``: JupyterLab opened on a student's view of the course.

The student view serves the preview folder only (``COURSE/preview/<module>/``,
the released versions nbgrader makes) and opens the first module's notebook:
no solutions, no gradebook, no nbgrader configuration in the file browser, and
no instructor panels. ``--instructor`` serves the whole course, with the
Formgrader, and opens the same notebook.

A preview notebook opens as a student's would: trusted (signed for this user,
as ``jupyter trust`` signs it) and unchanged, so JupyterLab does not show it as
unsaved. It would, because JupyterLab writes the kernel's full ``language_info``
into a notebook that carries less, and nbgrader releases ``{"name": "python"}``;
the preview carries what this machine's kernel reports.

Nothing leaves the machine: no news feed (and no pop-up asking for one), no
update check, no extension manager that searches a package index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

PREVIEW = "preview"
# JupyterLab settings for this session only, in Jupyter config folders of our own
# (labconfig/page_config.json): plugins switched off. A student's view has no
# instructor panels; neither view has the news announcements.
LAB_CONFIG = Path(__file__).parent / "jupyter"
LAB_PRIVATE_FLAGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
    "--ServerApp.ip=127.0.0.1",
)


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    lab = commands.add_parser(
        "lab", help="open a student's view of the course in JupyterLab (a preview of every module)",
        description="Prepare a student preview of every module (the version nbgrader releases) in "
        "COURSE/preview/ and open the first module in JupyterLab, serving the preview folder only. "
        "With --instructor, serve the whole course, with the Formgrader.")
    course_option(lab, positional=True)
    lab.add_argument("--instructor", action="store_true",
                     help="serve the whole course (source, release, the Formgrader), not only the preview")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(run=run_lab)


def run_lab(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.manifest import load_course
    from coursekit.grading.tools import tools_env

    course_dir = Path(course_of(args)).resolve()
    env = tools_env()
    first = load_course(course_dir).module_ids[0]
    try:
        prepare_preview(course_dir, env)
    except RuntimeError as exc:
        print(f"coursekit lab: {exc}", file=sys.stderr)
        return 1
    view = "instructor" if args.instructor else "student"
    command = lab_command(course_dir, first, view=view, browser=not args.no_browser)
    if view == "student":
        print(f"Starting JupyterLab on a student's view of the course ({course_dir / PREVIEW}), "
              f"at the '{first}' module. The instructor's view, with the source notebooks and the "
              "Formgrader: coursekit lab --instructor. Stop with Ctrl-C.")
    else:
        print(f"Starting JupyterLab on the whole course ({course_dir}): students' view in "
              f"{PREVIEW}/, instructor notebooks in source/, grading in the Formgrader "
              "(Nbgrader menu). Stop with Ctrl-C.")
    return subprocess.call(command, cwd=course_dir, env=lab_env(env, view))


def lab_command(course_dir: Path, module: str, *, view: str = "student",
                browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line for a view of the course, opening ``module``'s preview.

    Run it with ``cwd=course_dir`` and ``env=lab_env(...)``.
    """
    root = course_dir / PREVIEW if view == "student" else course_dir
    command = ["jupyter", "lab", f"--ServerApp.root_dir={root}", *LAB_PRIVATE_FLAGS]
    if os.name == "posix" and os.geteuid() == 0:
        # JupyterLab refuses root unless told; containers and CI often run as root.
        command.append("--allow-root")
    if not browser:
        command.append("--no-browser")
    # A file to open, relative to the folder the command runs in: JupyterLab opens its page,
    # lab/tree/<path from the root>, in place of the Launcher.
    command.append(f"{PREVIEW}/{module}/{module}.ipynb")
    return command


def lab_env(env: dict[str, str], view: str = "student") -> dict[str, str]:
    """``env`` with this view's Jupyter config folder searched too (JUPYTER_CONFIG_PATH)."""
    ours = str(LAB_CONFIG / view)
    rest = [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p and p != ours]
    return {**env, "JUPYTER_CONFIG_PATH": os.pathsep.join([ours, *rest])}


def prepare_preview(course_dir: Path, env: dict[str, str] | None = None) -> list[str]:
    """Copy the released (student) version of every module into COURSE/preview/<module>/.

    A module already in preview/ is left alone, so answers given there are kept
    between sessions; delete its folder to start it afresh. A new preview notebook
    is made to open unchanged and trusted (see the module's docstring). Returns
    the modules.
    """
    from coursekit.content.manifest import load_course
    from coursekit.grading.tools import tools_env

    env = env or tools_env()
    preview = course_dir / PREVIEW
    modules = list(load_course(course_dir).module_ids)
    made = []
    for module in modules:
        if (preview / module).exists():
            continue
        print(f"Preparing the student version of '{module}' (nbgrader generate_assignment)...")
        result = subprocess.run(
            ["nbgrader", "generate_assignment", module, "--force"],
            cwd=course_dir, env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
            raise RuntimeError(f"could not prepare '{module}'; see nbgrader's output above.")
        shutil.copytree(course_dir / "release" / module, preview / module)
        made.append(preview / module / f"{module}.ipynb")
    if made:
        open_as_released(made, env, cwd=course_dir)
    return modules


def open_as_released(notebooks: list[Path], env: dict[str, str], cwd: Path) -> None:
    """Give each notebook its kernel's full language_info and sign it for this user, so that
    JupyterLab opens it trusted and unchanged."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()  # type: ignore[no-untyped-call]  # this user's signatures, where JupyterLab looks for them
    infos: dict[str, dict[str, Any]] = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
        if kernel not in infos:
            infos[kernel] = kernel_language_info(kernel, env, cwd)
        nb.metadata["language_info"] = infos[kernel]
        nbformat.write(nb, path)  # type: ignore[no-untyped-call]
        notary.sign(nb)  # type: ignore[no-untyped-call]


def kernel_language_info(kernel: str, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """What a kernel of this name reports about its language, asked of a real one."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=kernel, env=env, cwd=str(cwd))
    try:
        reply = client.kernel_info(reply=True, timeout=60)
        info: dict[str, Any] = reply["content"]["language_info"]
        return info
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
