"""Try to list, read, write and delete each of the paths given, as whoever runs this; report what
the kernel allowed. Run by the hub test as each of its users (standard library only).

Reads a JSON list of paths on stdin, writes a JSON list of {op: errno name or null} (null:
allowed). Nothing is changed for good: a write opens a file for writing without truncating it,
or creates and removes a file in a folder; a delete renames the path away and back (what
deleting needs, reversibly).

    list    a folder: its names; a file: its metadata (stat)
    read    a file: its bytes; a folder: its names and the bytes of every file in it
    write   a file: open it for writing; a folder: create a file in it
    delete  rename it away (unlink or rmdir need the same permission), then back
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys


def attempt(op: str, path: str) -> str | None:
    try:
        is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))
    try:
        if op == "list":
            os.listdir(path) if is_dir else os.stat(path)
        elif op == "read" and is_dir:
            for name in os.listdir(path):
                inner = os.path.join(path, name)
                if stat.S_ISREG(os.lstat(inner).st_mode):
                    with open(inner, "rb") as handle:
                        handle.read()
        elif op == "read":
            with open(path, "rb") as handle:
                handle.read()
        elif op == "write" and is_dir:
            probe = os.path.join(path, f".probe-{os.getuid()}")
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.unlink(probe)
        elif op == "write":
            os.close(os.open(path, os.O_WRONLY))
        elif op == "delete":
            moved = f"{path}.probe-moved-{os.getuid()}"
            os.rename(path, moved)
            os.rename(moved, path)
        else:
            raise ValueError(op)
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return None


def main() -> None:
    paths = json.load(sys.stdin)
    json.dump([{op: attempt(op, p) for op in ("list", "read", "write", "delete")} for p in paths],
              sys.stdout)


if __name__ == "__main__":
    main()
