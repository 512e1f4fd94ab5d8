"""Writing a file whole, and locking one: the only place coursekit does either.

:func:`atomic_write` replaces a file with new bytes so that, whatever happens
(a crash, a kill, a full disk), the file afterwards holds either all of the old
bytes or all of the new ones, and no half-written copy is left beside it. The
new bytes go to a temporary file in the same folder (created 0600, so nobody
else can read it even for a moment), are flushed to disk, and the temporary
file is renamed over the target; the folder is then synced so that the rename
itself survives a power cut.

:class:`FileLock` is an exclusive lock shared by every process on this machine
that locks the same path. It is an ``flock`` (on Windows, ``msvcrt.locking``)
on a small lock file, so the operating system releases it when its holder dies:
a killed process never leaves a stale lock behind. The lock file stays in place.

Why not the ``filelock`` package: it never waits in the kernel, it polls (try,
then sleep ``poll_interval``, 50 ms by default). Two processes saving answers in
a loop then barely take turns: in the two-savers durability test the writer
changed 4 times in 500 saves with filelock 4.3 and 438 times with a blocking
``flock``, and a shorter poll doubled the test's time instead. Its import
(about 90 ms) would also fall on a student's first Save. A blocking ``flock``
is a dozen lines, and it is what both of coursekit's locks had always used.

Imports only the standard library, and nothing heavy: the response store uses it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

PRIVATE = 0o600
TEMPORARY_SUFFIX = ".tmp"


def atomic_write(target: str | Path, data: bytes, *, mode: int = PRIVATE) -> None:
    """Replace ``target`` with ``data``, all at once; give the file ``mode`` (0600 by default).

    Raises OSError naming ``target`` (not the temporary file) when the folder
    is missing or not writable, or the disk is full; the file is then exactly
    as it was, and no temporary file is left.
    """
    target = Path(target)
    tmp: str | None = None
    try:
        # mkstemp makes the file 0600 in the target's folder, so the rename stays on one filesystem.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)  # exactly ``mode``, whatever the umask
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        # The temporary name means nothing to the reader of the message; the target does.
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _sync_folder(target.parent)


def temporaries(target: str | Path) -> Iterator[Path]:
    """The temporary files :func:`atomic_write` may have left beside ``target`` if it was killed.

    Only the caller knows whether one is stale: coursekit's store holds its
    lock while writing, so one it finds while holding the lock is.
    """
    target = Path(target)
    return target.parent.glob(f".{target.name}.*{TEMPORARY_SUFFIX}")


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


class FileLock:
    """An exclusive lock on ``path``, for every process on this machine that locks the same path.

    Use it as a context manager, or call :meth:`acquire` and :meth:`release`.
    :meth:`acquire` waits as long as another holder has it. The lock file is
    created with ``mode`` and opened read-only, which is all ``flock`` needs,
    so a lock file made by another user (mode 0644) still works. It is never
    followed through a symbolic link. Two FileLock objects for one path exclude
    each other even within one process; one object is not reentrant.
    """

    def __init__(self, path: str | Path, *, mode: int = PRIVATE):
        self.path = Path(path)
        self.mode = mode
        self._fd: int | None = None

    def acquire(self) -> None:
        """Wait for the lock and take it. Raises OSError (naming the lock file) when the
        lock file cannot be created, for instance in a read-only folder."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already locked by this FileLock; release it first.")
        flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, self.mode)
        try:
            _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (nothing happens if it is not held)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _unlock(fd)
            finally:
                os.close(fd)  # closing would release it anyway

    @property
    def held(self) -> bool:
        return self._fd is not None

    # A lock stands for the lock itself: a copy (nbconvert deep-copies the resources it is
    # handed) must be the same object, or the copy would wait on its original for ever.
    def __copy__(self) -> FileLock:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FileLock:
        return self

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - the course runs on Linux and macOS
    import msvcrt

    def _lock(fd: int) -> None:
        while True:  # LK_LOCK gives up after ten tries a second apart; keep waiting, like flock
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
