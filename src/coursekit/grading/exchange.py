"""nbgrader's exchange, kept confidential between the users of a shared server.

nbgrader's default exchange leaves a submission's folder 0777 and its files 0644 (so anyone who
knows or guesses the path reads it, and writes it), names a student's feedback by a secret but
leaves the file world-readable, and lets anyone delete or rename another's submission (its
inbound folder has no sticky bit). These classes are the same exchange, plugged in through
nbgrader's ``ExchangeFactory`` (``coursekit.grading.hub.configure_nbgrader`` does it), over the
layout of ``coursekit.grading.hub``. What changes:

- a submission is created 2750 with files 0640 from the start (never 0777, not even for a
  moment), in the graders' group that the inbound folder's setgid bit gives it;
- feedback is released into ``feedback/<student>/``, a folder that belongs to the student (made
  when they submit) and that no other student can open, instead of a flat, listable-by-name one;
- collecting refuses a submission whose folder is not owned by the student it names (another
  student made it: a forgery), and copies only regular files and folders, never following a
  symbolic link, so a student cannot make a grader copy for them what the grader may read
  (another's notebook, the gradebook) and get it back as feedback;
- releasing feedback writes into the student's folder through a file descriptor, so a link a
  student put in its place cannot turn the grader's write elsewhere;
- nothing creates or chmods the exchange's own folders: ``coursekit hub setup`` (as root) does,
  and every operation first checks their modes and fails, naming the folder, if they drifted.

A submission with edited locked cells or a broken notebook is collected like any other and
graded or reported as nbgrader does; what is refused here (forged or linked) is reported by
``nbgrader collect`` in its log, naming the folder, and the rest of the class is collected.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import pwd
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from typing import Any

from nbgrader.exchange import default
from nbgrader.utils import get_username, notebook_hash, parse_utc

from coursekit.grading import hub

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_CHUNK = 1 << 20


# --- copying and writing without following links -----------------------------------------------


def copy_private(src: str, dest: str, *, dir_mode: int, file_mode: int,
                 ignore: Callable[[str, list[str]], Any] | None = None,
                 extra: dict[str, bytes] | None = None) -> list[tuple[str, str]]:
    """Copy the folder ``src`` to ``dest`` (which must not exist yet) with these modes.

    Copies folders and regular files only, never following a symbolic link (checked on the open
    file, so swapping a file for a link mid-copy does not help); what is skipped (links, pipes,
    devices, unreadable files) is returned, as (path relative to ``src``, why). ``dest`` is
    created with no permission for others from the start, whatever the umask. ``ignore`` is a
    shutil.copytree ignore function (nbgrader's include, exclude and size rules); ``extra`` are
    files to add.

    Each folder is chmod-ed only once everything in it is written: for a user outside the
    folder's group, the kernel drops the setgid bit on chmod, and what is created after that
    would no longer get the graders' group.
    """
    skipped: list[tuple[str, str]] = []
    src_fd = os.open(src, _DIR_FLAGS)
    try:
        os.mkdir(dest, 0o700)
        dest_fd = os.open(dest, _DIR_FLAGS)
        try:
            _copy_into(src_fd, dest_fd, src, "", dir_mode, file_mode, ignore, skipped)
            for name, data in (extra or {}).items():
                write_in(dest_fd, name, data, file_mode)
            os.fchmod(dest_fd, dir_mode)
        finally:
            os.close(dest_fd)
    finally:
        os.close(src_fd)
    return skipped


def _copy_into(src_fd: int, dest_fd: int, src_root: str, rel: str, dir_mode: int, file_mode: int,
               ignore: Callable[[str, list[str]], Any] | None,
               skipped: list[tuple[str, str]]) -> None:
    names = sorted(os.listdir(src_fd))
    ignored = set(ignore(os.path.join(src_root, rel), names)) if ignore else set()
    for name in names:
        if name in ignored:
            continue
        where = os.path.join(rel, name)
        st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            child_src = os.open(name, _DIR_FLAGS, dir_fd=src_fd)
            try:
                os.mkdir(name, 0o700, dir_fd=dest_fd)
                child_dest = os.open(name, _DIR_FLAGS, dir_fd=dest_fd)
                try:
                    _copy_into(child_src, child_dest, src_root, where, dir_mode, file_mode, ignore,
                               skipped)
                    os.fchmod(child_dest, dir_mode)
                finally:
                    os.close(child_dest)
            finally:
                os.close(child_src)
        elif stat.S_ISLNK(st.st_mode):
            skipped.append((where, "a symbolic link"))
        elif not stat.S_ISREG(st.st_mode):
            skipped.append((where, "not a regular file"))
        else:
            why = _copy_file(name, src_fd, dest_fd, file_mode)
            if why:
                skipped.append((where, why))


def _copy_file(name: str, src_fd: int, dest_fd: int, mode: int) -> str | None:
    """Copy one regular file; or say why not (nothing is written then)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src_fd)
    except OSError as exc:  # ELOOP: swapped for a link since; EACCES: closed to us
        return "a symbolic link" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                      dir_fd=dest_fd)
        try:
            while chunk := os.read(fd, _CHUNK):
                os.write(out, chunk)
            os.fchmod(out, mode)
            os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
        finally:
            os.close(out)
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def owned_folder(path: str, uid: int) -> Iterator[int]:
    """A file descriptor on the folder ``path``, if it is a real folder (not a link) owned by
    ``uid`` and closed to others; raises PermissionError saying which of these it is not."""
    fd = os.open(path, _DIR_FLAGS)
    try:
        st = os.fstat(fd)
        if st.st_uid != uid:
            owner = _user_name(st.st_uid)
            raise PermissionError(f"{path} belongs to {owner}, not to {_user_name(uid)}")
        if st.st_mode & 0o007:
            raise PermissionError(f"{path} is open to other users (mode "
                                  f"{stat.S_IMODE(st.st_mode):04o})")
        yield fd
    finally:
        os.close(fd)


def write_in(folder_fd: int, name: str, data: bytes, mode: int) -> None:
    """Write ``name`` in the folder atomically: a new file, then renamed over the old name (which
    replaces a link there rather than writing through it)."""
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder_fd)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    os.rename(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _uid_of(user: str) -> int | None:
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


# --- the exchange ---------------------------------------------------------------------------


class _Confidential(default.Exchange):  # type: ignore[misc]
    """What every operation shares: the layout is checked, never made."""

    def ensure_root(self) -> None:
        if not os.path.isdir(self.root) or not os.access(self.root, os.X_OK):
            self.fail(f"The exchange {self.root} is missing or closed to you: the server's "
                      "administrator sets it up with `coursekit hub setup`.")

    def ensure_directory(self, path: str, mode: int) -> None:
        self.check_layout()

    def check_layout(self) -> None:
        """Fail, naming the folder, if the course's exchange folders are not as set up."""
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")
        course = os.path.join(self.root, self.coursedir.course_id)
        expected = [(course, hub.EXCHANGE_COURSE), (os.path.join(course, "outbound"), hub.OUTBOUND),
                    (os.path.join(course, "inbound"), hub.INBOUND),
                    (os.path.join(course, "feedback"), hub.FEEDBACK)]
        for path, mode in expected:
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                self.fail(f"{path} does not exist: the administrator sets the course up with "
                          f"`coursekit hub setup {self.coursedir.course_id} ...`.")
            except PermissionError:
                self.fail(f"You are not enrolled in the course {self.coursedir.course_id!r} "
                          f"({path} is closed to you).")
            if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != mode:
                self.fail(f"{path} has mode {stat.S_IMODE(st.st_mode):04o}, not {mode:04o}: it "
                          "would not keep submissions confidential. The administrator puts it "
                          f"right with `coursekit hub setup {self.coursedir.course_id} ...`.")

    def feedback_folder(self, student_id: str) -> str:
        return os.path.join(self.root, self.coursedir.course_id, "feedback", student_id)


class Exchange(_Confidential):
    pass


class ExchangeFetchAssignment(_Confidential, default.ExchangeFetchAssignment):  # type: ignore[misc]
    pass


class ExchangeReleaseAssignment(_Confidential, default.ExchangeReleaseAssignment):  # type: ignore[misc]
    """Released files are 0664 in 2775 folders (group: the graders): students read them only.
    (nbgrader's own would chmod the exchange to 0777 and make its folders.)"""


class ExchangeSubmit(_Confidential, default.ExchangeSubmit):  # type: ignore[misc]
    """A submission that only its student and the graders can open, from its first byte."""

    def init_dest(self) -> None:
        me = get_username()
        if self.coursedir.student_id not in ("*", "", me):
            self.fail(f"On this server you submit as yourself ({me}), not as "
                      f"{self.coursedir.student_id!r}.")
        self.coursedir.student_id = "*"
        self.check_layout()
        super().init_dest()
        self._own_feedback_folder(me)

    def _own_feedback_folder(self, me: str) -> None:
        """feedback/<me>/, where the graders will release my feedback: mine, closed to others."""
        path = self.feedback_folder(me)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            self.fail(f"{path} belongs to {_user_name(st.st_uid)}, not to you: someone else made "
                      "your feedback folder, so feedback cannot reach you safely. Tell your "
                      "instructor; the administrator removes it.")
        # The graders (its group, from feedback/'s setgid bit) write into it; nobody else opens it.
        os.chmod(path, hub.STUDENT_FEEDBACK_DIR)

    def copy_files(self) -> None:
        self.init_release()
        secret = secrets.token_hex(64)
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        self.log.info("Source: %s", self.src_path)
        self.log.info("Destination: %s", dest)
        self.check_filename_diff()
        size = self.get_size(self.src_path)
        if size > 1000 * self.coursedir.max_dir_size:
            self.fail(f"The folder {self.src_path} is too large to submit ({size} bytes; at most "
                      f"{1000 * self.coursedir.max_dir_size}).")
        skipped = copy_private(self.src_path, dest, dir_mode=hub.SUBMISSION_DIR,
                               file_mode=hub.SUBMISSION_FILE, ignore=self._ignore(),
                               extra={"timestamp.txt": self.timestamp.encode(),
                                      "submission_secret.txt": secret.encode()})
        for rel, why in skipped:
            self.log.warning("Not submitted: %s (%s)", os.path.join(self.src_path, rel), why)
        # The student's own cache (in their home), as nbgrader keeps it: fetch_feedback and the
        # assignment list read the secret from there.
        cache = os.path.join(self.cache_path, self.assignment_filename.rsplit("+", 1)[0]
                             if self.add_random_string else self.assignment_filename)
        os.makedirs(self.cache_path, mode=0o700, exist_ok=True)
        copy_private(self.src_path, cache, dir_mode=0o700, file_mode=0o600, ignore=self._ignore(),
                     extra={"timestamp.txt": self.timestamp.encode(),
                            "submission_secret.txt": secret.encode()})
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id,
                      self.coursedir.assignment_id, self.timestamp)

    def _ignore(self) -> Callable[[str, list[str]], Any]:
        from nbgrader.utils import ignore_patterns

        return ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,  # type: ignore[no-any-return]
                               max_file_size=self.coursedir.max_file_size, log=self.log)


class ExchangeCollect(_Confidential, default.ExchangeCollect):  # type: ignore[misc]
    """Collect the newest genuine submission of each student into course/submitted/."""

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.check_layout()
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.access(self.inbound_path, os.R_OK | os.X_OK):
            self.fail(f"You cannot read {self.inbound_path}: only the course's graders collect.")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(glob.escape(self.inbound_path),
                               f"{student_id}+{glob.escape(self.coursedir.assignment_id)}+*")
        genuine: dict[str, list[dict[str, Any]]] = {}
        self.refused: list[str] = []
        for path in sorted(glob.glob(pattern)):
            record = self._genuine(path)
            if record is not None:
                genuine.setdefault(record["username"], []).append(record)
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for records in genuine.values():
            newest = self._sort_by_timestamp(records)
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in newest if r["timestamp"] <= self.duedate]
                newest = on_time or newest
            self.src_records.append(newest[0])

    def _genuine(self, path: str) -> dict[str, Any] | None:
        """The record of a submission folder, or None (logged) if it is not its student's."""
        name = os.path.basename(path)
        parts = name.rsplit("+", 3)
        st = os.lstat(path)
        owner = _user_name(st.st_uid)
        why = None
        if len(parts) < 3:
            why = "its name is not STUDENT+MODULE+TIME"
        elif not stat.S_ISDIR(st.st_mode):
            why = "it is not a folder (a link or a file)"
        elif _uid_of(parts[0]) != st.st_uid:
            why = f"it names {parts[0]!r} but belongs to {owner}: a forgery"
        if why is None:
            try:
                timestamp = parse_utc(parts[2])
            except Exception:
                why = f"its time {parts[2]!r} is not a time"
        if why is not None:
            self.log.error("Not collected: %s (%s). Tell the administrator, who can remove it.",
                           path, why)
            self.refused.append(path)
            return None
        return {"username": parts[0], "filename": name, "timestamp": timestamp}

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"{src} is too large to collect ({size} bytes; at most "
                               f"{1000 * self.coursedir.max_dir_size})")
        from nbgrader.utils import ignore_patterns

        try:
            skipped = copy_private(src, dest, dir_mode=hub.COLLECTED_DIR, file_mode=hub.COLLECTED_FILE,
                                   ignore=ignore_patterns(exclude=self.coursedir.ignore,
                                                          include=self.coursedir.include,
                                                          max_file_size=self.coursedir.max_file_size,
                                                          log=self.log))
        except OSError as exc:
            # Gone since it was listed, or closed to the graders by its student (chmod): this
            # one is reported, the rest of the class is still collected.
            shutil.rmtree(dest, ignore_errors=True)
            self.log.error("Not collected: %s (%s). Ask its student to submit again.", src,
                           exc.strerror or exc)
            self.refused = [*getattr(self, "refused", []), src]
            return
        for rel, why in skipped:
            self.log.error("Not collected from %s: %s (%s).", src, rel, why)


class ExchangeReleaseFeedback(_Confidential, default.ExchangeReleaseFeedback):  # type: ignore[misc]
    """Feedback into each student's own feedback folder, and nowhere else."""

    def init_dest(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.check_layout()
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.dest_path = self.outbound_feedback_path = os.path.join(self.course_path, "feedback")

    def copy_files(self) -> None:
        excluded = self.coursedir.student_id_exclude
        exclude = set(excluded.split(",")) if excluded else set()
        regexp = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        self.refused: list[str] = []
        for html_file in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            match = re.match(regexp, html_file)
            if match is None:
                self.log.error("Could not match '%s' with regexp '%s'", html_file, regexp)
                continue
            student_id, notebook_id = match.group("student_id"), match.group("notebook_id")
            if student_id in exclude:
                continue
            folder = os.path.dirname(html_file)
            with open(os.path.join(folder, "timestamp.txt")) as handle:
                timestamp = handle.read()
            with open(os.path.join(folder, "submission_secret.txt")) as handle:
                secret = handle.read()
            name = f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html"
            target = self.feedback_folder(student_id)
            uid = _uid_of(student_id)
            try:
                if uid is None:
                    raise PermissionError(f"there is no user {student_id!r} on this server")
                with open(html_file, "rb") as handle:
                    data = handle.read()
                with owned_folder(target, uid) as fd:
                    write_in(fd, name, data, hub.FEEDBACK_FILE)
            except (PermissionError, FileNotFoundError, NotADirectoryError, OSError) as exc:
                self.log.error("Feedback for %s on %s/%s not released: %s. Tell the administrator.",
                               student_id, self.coursedir.assignment_id, notebook_id, exc)
                self.refused.append(html_file)
                continue
            self.log.info("Releasing feedback for student '%s' on assignment '%s/%s/%s' (%s)",
                          student_id, self.coursedir.course_id, self.coursedir.assignment_id,
                          notebook_id, timestamp)
        if self.refused:
            self.fail(f"{len(self.refused)} feedback file(s) could not be released safely; "
                      "the log above names them. The others were released.")


class ExchangeFetchFeedback(_Confidential, default.ExchangeFetchFeedback):  # type: ignore[misc]
    """Fetch my feedback from my own feedback folder."""

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        me = get_username()
        self.src_path = self.outbound_path = self.feedback_folder(me)
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        if not os.path.isdir(self.src_path):
            self._assignment_not_found(self.src_path, os.path.join(self.src_path, "*"))
        assignment_id = self.coursedir.assignment_id or "*"
        self.feedback_files = []
        for submission in sorted(glob.glob(os.path.join(self.cache_path, f"*+{assignment_id}+*"))):
            _, assignment, timestamp = os.path.basename(submission).split("+")[:3]
            secret_path = os.path.join(submission, "submission_secret.txt")
            if not os.path.isfile(secret_path):
                continue
            with open(secret_path) as handle:
                secret = handle.read()
            for notebook in glob.glob(os.path.join(submission, "*.ipynb")):
                notebook_id = os.path.splitext(os.path.basename(notebook))[0]
                name = notebook_hash(secret=secret, notebook_id=notebook_id)
                path = os.path.join(self.src_path, f"{name}.html")
                if os.path.isfile(path):
                    self.feedback_files.append((notebook_id, timestamp, path))
                    self.log.info("Found feedback for '%s/%s/%s' submitted at %s",
                                  self.coursedir.course_id, assignment, notebook_id, timestamp)
                else:
                    self.log.warning("Could not find feedback for '%s/%s/%s' submitted at %s",
                                     self.coursedir.course_id, assignment, notebook_id, timestamp)


class ExchangeList(_Confidential, default.ExchangeList):  # type: ignore[misc]
    """nbgrader's list, looking for my feedback where it is released (feedback/<me>/)."""

    def parse_assignments(self) -> list[dict[str, Any]]:
        assignments: list[dict[str, Any]] = super().parse_assignments()
        if not (self.inbound or self.cached):
            return assignments
        for assignment in assignments:
            for info in assignment["submissions"]:
                self._find_feedback(info)
        return assignments

    def _find_feedback(self, info: dict[str, Any]) -> None:
        secret_path = os.path.join(info["path"], "submission_secret.txt")
        if not info.get("notebooks") or not os.path.isfile(secret_path):
            return
        with open(secret_path) as handle:
            secret = handle.read()
        folder = os.path.join(self.root, info["course_id"], "feedback", info["student_id"])
        for nb in info["notebooks"]:
            path = os.path.join(folder, f"{notebook_hash(secret=secret, notebook_id=nb['notebook_id'])}.html")
            nb["has_exchange_feedback"] = os.path.isfile(path)
            if nb["has_exchange_feedback"] and nb["has_local_feedback"]:
                nb["feedback_updated"] = _checksum(path) != _checksum(nb["local_feedback_path"])
        info["has_exchange_feedback"] = all(nb["has_exchange_feedback"] for nb in info["notebooks"])
        info["feedback_updated"] = any(nb["feedback_updated"] for nb in info["notebooks"])


def _checksum(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.md5(handle.read()).hexdigest()
