"""``coursekit check``, ``sync``, ``new`` and ``lab``: the course's content and a student's view of it."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    from coursekit.cli.options import course_option

    check = commands.add_parser(
        "check", help="validate the course's settings, module manifests and notebooks")
    course_option(check, positional=True)
    check.set_defaults(run=run_check)

    sync = commands.add_parser(
        "sync", help="write the shared cells from the data files, clear outputs, set cell ids")
    course_option(sync, positional=True)
    sync.set_defaults(run=run_sync)

    new = commands.add_parser(
        "new", help="lay out a new module (manifest, reading card, instrument, notebook)",
        description="Make source/NAME/ in the course: a module that passes `coursekit check`, "
        "nbval and nbgrader as it stands. Then edit its module.toml, reading.toml and NAME.json "
        "and run `coursekit sync` (see docs/modules.md).")
    new.add_argument("name", help="the module's id: lower case letters, digits and _")
    new.add_argument("--title", help="the module's title (default: from the name)")
    course_option(new)
    new.set_defaults(run=run_new)

    lab = commands.add_parser(
        "lab", help="open the course in JupyterLab, with a student preview of every module")
    course_option(lab, positional=True)
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(run=run_lab)


def run_check(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.notebooks import check_course

    course = course_of(args)
    if not Path(course, "source").is_dir():
        print(f"coursekit check: {course} is not a course directory (it has no source/ "
              "folder). Run it from the repository root or name the course folder.",
              file=sys.stderr)
        return 2
    problems = check_course(course)
    notebooks = sorted(Path(course, "source").glob("*/*.ipynb"))
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) in {course}.", file=sys.stderr)
        return 1
    print(f"All {len(notebooks)} module(s) in {course} are valid.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.notebooks import sync_course

    changed = sync_course(course_of(args))
    for path in changed:
        print(f"rewrote {path}")
    print(f"{len(changed)} file(s) changed.")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from coursekit.cli.options import course_of
    from coursekit.content.scaffold import new_module

    course = course_of(args)
    written = new_module(course, args.name, args.title)
    for path in written:
        print(f"wrote {path}")
    folder = Path(course, "source", args.name)
    print(f"\nThe module '{args.name}' is ready and valid. Next: edit {folder}/module.toml, "
          f"reading.toml and {args.name}.json, then run `coursekit sync` and `coursekit check` "
          "(docs/modules.md explains every field).")
    return 0


# Nothing leaves the machine: no news feed, no update check, no extension
# manager that searches a package index.
LAB_PRIVATE_FLAGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
    "--ServerApp.ip=127.0.0.1",
)


def run_lab(args: argparse.Namespace) -> int:
    """Make a student preview of each module (the real released version) and start JupyterLab."""
    from coursekit.cli.options import course_of
    from coursekit.content.manifest import load_course
    from coursekit.grading.tools import tools_env

    course_dir = Path(course_of(args)).resolve()
    env = tools_env()
    settings = load_course(course_dir)
    try:
        prepare_preview(course_dir, env)
    except RuntimeError as exc:
        print(f"coursekit lab: {exc}", file=sys.stderr)
        return 1
    first = settings.module_ids[0]
    command = ["jupyter", "lab", f"--ServerApp.root_dir={course_dir}", *LAB_PRIVATE_FLAGS]
    if os.name == "posix" and os.geteuid() == 0:
        # JupyterLab refuses root unless told; containers and CI often run as root.
        command.append("--allow-root")
    if args.no_browser:
        command.append("--no-browser")
    command.append(f"preview/{first}/{first}.ipynb")
    print("Starting JupyterLab. Students' view: preview/; instructor notebooks: source/; "
          "grading: the Formgrader in the Nbgrader menu. Stop with Ctrl-C.")
    return subprocess.call(command, cwd=course_dir, env=env)


def prepare_preview(course_dir: Path, env: dict[str, str] | None = None) -> list[str]:
    """Copy the released (student) version of every module into COURSE/preview/<module>/.

    A module already in preview/ is left alone, so answers given there are kept
    between sessions; delete its folder to start it afresh. Returns the modules.
    """
    from coursekit.content.manifest import load_course
    from coursekit.grading.tools import tools_env

    preview = course_dir / "preview"
    modules = list(load_course(course_dir).module_ids)
    for module in modules:
        if (preview / module).exists():
            continue
        print(f"Preparing the student version of '{module}' (nbgrader generate_assignment)...")
        result = subprocess.run(
            ["nbgrader", "generate_assignment", module, "--force"],
            cwd=course_dir, env=env or tools_env(), capture_output=True, text=True,
        )
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
            raise RuntimeError(f"could not prepare '{module}'; see nbgrader's output above.")
        shutil.copytree(course_dir / "release" / module, preview / module)
    return modules
