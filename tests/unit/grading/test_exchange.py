"""The confidential exchange's file handling and the hub layout, without users or a hub.

What needs several Unix users (who may open what) is measured in
tests/integration/test_hub.py; here, what one process can check: links are never followed,
modes are set from the first byte, the config block is written once, the audit sees drift.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from traitlets.config import Config

from coursekit.grading import hub
from coursekit.grading.exchange import copy_private, owned_folder, write_in


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_copy_private_copies_files_and_folders_with_the_modes_given(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.ipynb").write_text("{}")
    (src / "sub" / "b.txt").write_text("b")
    os.chmod(src / "a.ipynb", 0o666)
    skipped = copy_private(str(src), str(tmp_path / "dest"), dir_mode=0o750, file_mode=0o640,
                           extra={"timestamp.txt": b"2030"})
    assert skipped == []
    dest = tmp_path / "dest"
    assert (dest / "a.ipynb").read_text() == "{}" and (dest / "sub" / "b.txt").read_text() == "b"
    assert (dest / "timestamp.txt").read_bytes() == b"2030"
    assert {mode(dest), mode(dest / "sub")} == {0o750}
    assert {mode(dest / "a.ipynb"), mode(dest / "sub" / "b.txt"), mode(dest / "timestamp.txt")} == {0o640}


def test_copy_private_never_follows_a_link(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("everyone's grades")
    src = tmp_path / "submission"
    src.mkdir()
    (src / "alliance.ipynb").write_text("{}")
    (src / "notes.db").symlink_to(secret)
    (src / "folder").symlink_to(tmp_path)
    os.mkfifo(src / "pipe")  # would block a plain copy forever
    skipped = copy_private(str(src), str(tmp_path / "dest"), dir_mode=0o700, file_mode=0o600)
    assert sorted(skipped) == [("folder", "a symbolic link"), ("notes.db", "a symbolic link"),
                               ("pipe", "not a regular file")]
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["alliance.ipynb"]


def test_copy_private_refuses_a_linked_source_or_an_existing_destination(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OSError):
        copy_private(str(tmp_path / "link"), str(tmp_path / "d1"), dir_mode=0o700, file_mode=0o600)
    (tmp_path / "d2").mkdir()
    with pytest.raises(FileExistsError):
        copy_private(str(real), str(tmp_path / "d2"), dir_mode=0o700, file_mode=0o600)


def test_copy_private_applies_the_ignore_rules(tmp_path):
    src = tmp_path / "src"
    (src / ".ipynb_checkpoints").mkdir(parents=True)
    (src / "a.ipynb").write_text("{}")
    skipped = copy_private(str(src), str(tmp_path / "dest"), dir_mode=0o700, file_mode=0o600,
                           ignore=lambda folder, names: [n for n in names if n.startswith(".")])
    assert skipped == [] and [p.name for p in (tmp_path / "dest").iterdir()] == ["a.ipynb"]


def test_write_in_replaces_a_link_instead_of_writing_through_it(tmp_path):
    folder, victim = tmp_path / "feedback", tmp_path / "gradebook.db"
    folder.mkdir(mode=0o700)
    victim.write_text("grades")
    (folder / "abc.html").symlink_to(victim)
    with owned_folder(str(folder), os.getuid()) as fd:
        write_in(fd, "abc.html", b"<html>feedback</html>", 0o644)
    assert victim.read_text() == "grades"
    assert not (folder / "abc.html").is_symlink()
    assert (folder / "abc.html").read_bytes() == b"<html>feedback</html>"
    assert mode(folder / "abc.html") == 0o644
    assert [p.name for p in folder.iterdir()] == ["abc.html"]  # no temporary file left


def test_owned_folder_refuses_someone_elses_an_open_one_or_a_link(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    with pytest.raises(PermissionError, match="belongs to"), owned_folder(str(folder), os.getuid() + 12345):
        pass
    os.chmod(folder, 0o707)
    with pytest.raises(PermissionError, match="open to other users"), owned_folder(str(folder), os.getuid()):
        pass
    os.chmod(folder, 0o700)
    (tmp_path / "link").symlink_to(folder)
    with pytest.raises(OSError), owned_folder(str(tmp_path / "link"), os.getuid()):
        pass


def test_the_hub_block_is_added_once_and_replaced_after(tmp_path):
    layout = hub.Layout(tmp_path)
    text = "c = get_config()\nc.CourseDirectory.course_id = 'coursekit'\n"
    once = hub.with_hub_block(text, hub.hub_block("alliance-2027", layout))
    twice = hub.with_hub_block(once, hub.hub_block("alliance-2028", layout))
    assert once.startswith(text) and once.count(hub.HUB_BLOCK_START) == 1
    assert twice.count(hub.HUB_BLOCK_START) == 1 and "alliance-2028" in twice and "alliance-2027" not in twice
    config: dict[str, object] = {}
    exec(compile(twice.replace("c = get_config()\n", ""), "nbgrader_config.py", "exec"),
         {"c": (c := Config())}, config)
    assert c.CourseDirectory.course_id == "alliance-2028"  # the block comes last, so it wins
    assert c.Exchange.root == str(tmp_path / "exchange")


def test_configure_nbgrader_plugs_in_the_exchange_and_finds_no_course_to_grade(tmp_path):
    c = Config()
    assert hub.configure_nbgrader(c, hub.Layout(tmp_path)) is None  # no courses at all
    assert c.ExchangeFactory.submit == "coursekit.grading.exchange.ExchangeSubmit"
    assert c.Exchange.root == str(tmp_path / "exchange") and c.Exchange.path_includes_course
    from nbgrader.exchange import ExchangeFactory

    factory = ExchangeFactory(config=c)
    assert all(getattr(factory, trait).__module__ == "coursekit.grading.exchange"
               for trait in hub.EXCHANGE_CLASSES)


def test_the_audit_names_every_folder_that_drifted(tmp_path):
    layout = hub.Layout(tmp_path)
    assert any("No such file" in p for p in hub.audit_course(layout, "c1"))
    course, exchange = layout.course("c1"), layout.exchange / "c1"
    for path, m in ((course, hub.COURSE_DIR), (exchange, hub.EXCHANGE_COURSE),
                    (exchange / "outbound", hub.OUTBOUND), (exchange / "inbound", hub.INBOUND),
                    (exchange / "feedback", hub.FEEDBACK)):
        path.mkdir(parents=True)
        os.chmod(path, m)
    if os.geteuid() == 0:
        # root owns them; the groups differ from the students' only when set up (not here)
        problems = hub.audit_course(layout, "c1")
        assert problems == [f"{exchange}: the graders group is also the students group"]
    os.chmod(exchange / "inbound", 0o777)  # nbgrader's own would leave it like this
    assert any(p.startswith(f"{exchange / 'inbound'}: ") and "expected root and 3773" in p
               for p in hub.audit_course(layout, "c1"))


def test_setup_refuses_without_root_or_a_user(tmp_path, monkeypatch):
    setup = hub.CourseSetup("c1", "c1-graders", "c1-students", ("nobody-here-xyz",), ())
    from coursekit.errors import HubSetupError

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(HubSetupError, match="needs root"):
        hub.setup_course(hub.Layout(tmp_path), setup)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(HubSetupError, match="does not exist: create it first"):
        hub.setup_course(hub.Layout(tmp_path), setup)
    bad = hub.CourseSetup("../etc", "g", "s", (), ())
    with pytest.raises(HubSetupError, match="cannot be a folder name"):
        hub.setup_course(hub.Layout(tmp_path), bad)


def test_collect_reports_a_submission_gone_or_closed_and_carries_on(tmp_path, caplog):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.exchange import ExchangeCollect

    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    config.CourseDirectory.course_id = "c1"
    config.Exchange.root = str(tmp_path / "exchange")
    collect = ExchangeCollect(coursedir=CourseDirectory(config=config),
                              authenticator=Authenticator(config=config), config=config)
    gone, dest = tmp_path / "inbound" / "ada+alliance+2030-01-01 00:00:00 UTC+x", tmp_path / "dest"
    collect.do_copy(str(gone), str(dest))  # no exception: the others are still collected
    assert collect.refused == [str(gone)] and not dest.exists()
    assert "Not collected" in caplog.text and "Ask its student to submit again" in caplog.text
