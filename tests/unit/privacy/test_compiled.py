"""The privacy check's word lists, compiled once per machine: read back the same, rebuilt when
damaged or out of date, never an error where the cache folder cannot be written."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.privacy import compiled, lexicon
from coursekit.privacy.compiled import CACHE_ENV, stored


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def counting(name: str):
    calls: list[int] = []

    @stored(name)
    def load() -> dict[str, object]:
        calls.append(1)
        return {"names": frozenset({"Zoë", "Eun-ji"}), "zipf": {"hope": 4.9}, "pair": (1, 2.5)}

    return load, calls


def test_a_list_is_built_once_then_read_back_the_same_in_a_new_process(cache):
    load, calls = counting("example")
    first = load()
    assert calls == [1]
    (stored_file,) = cache.glob("example-*.marshal")
    assert stored_file.stat().st_mode & 0o777 == 0o600 and cache.stat().st_mode & 0o777 == 0o700
    again, calls_again = counting("example")  # as a new kernel: nothing in memory
    assert again() == first and calls_again == []


def test_a_damaged_file_is_built_again_and_replaced(cache):
    load, _ = counting("example")
    load()
    (stored_file,) = cache.glob("example-*.marshal")
    stored_file.write_bytes(b"\x00garbage")
    again, calls = counting("example")
    assert again()["zipf"] == {"hope": 4.9} and calls == [1]
    third, calls_third = counting("example")
    assert third() == again() and calls_third == []  # the file stored again is whole


def test_lists_from_older_data_are_removed_when_new_ones_are_stored(cache):
    cache.mkdir(mode=0o700)
    (cache / "example-0000000000000000.marshal").write_bytes(b"old")
    (cache / "other-0000000000000000.marshal").write_bytes(b"another list's")
    load, _ = counting("example")
    load()
    assert sorted(p.name for p in cache.iterdir()) == [
        f"example-{compiled.data_key()}.marshal", "other-0000000000000000.marshal"]


def test_a_folder_that_cannot_be_written_only_means_no_cache(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "cache"))
    load, calls = counting("example")
    assert load()["pair"] == (1, 2.5) and calls == [1]
    monkeypatch.setenv(CACHE_ENV, "")  # "" keeps no cache at all
    load, calls = counting("example")
    assert load()["pair"] == (1, 2.5) and calls == [1]


def test_the_key_changes_with_the_data_the_lists_are_built_from():
    code = ("from coursekit.privacy import compiled; print(compiled.data_key())")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    key = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert key == compiled.data_key() and len(key) == 16
    assert "wordfreq" in compiled.SOURCES and "faker" in compiled.SOURCES


def test_zipf_from_the_compiled_table_is_what_wordfreq_says():
    """The table is only a faster way to ask wordfreq: the same value for words of one token,
    with an apostrophe, hyphenated, and for words it does not hold (0 below the floor every rule
    compares at); anything else is still asked of wordfreq itself."""
    from wordfreq import get_frequency_dict, zipf_frequency

    tokens = sorted(get_frequency_dict("en"))
    chance = random.Random(2026)
    letters = [w for w in tokens if w.isalpha()]
    sample = chance.sample(letters, 3000) + chance.sample([w for w in tokens if "'" in w], 500)
    sample += ["-".join(chance.sample(letters[:20000], 2)) for _ in range(1000)]
    sample += ["Hope", "TYLER", "Zoë", "précis", "straße", "Zoe\u0308", "I'd", "co-op", "nhs",
               "qwxzv", "Marie-Claude", "self-assessment", "client's", "O'Neill", "3rd", "e-mail",
               "Ma'am", "y'all", "o'clock", "rock'n'roll", "ne'er", "北京", "Łódź", "São-Paulo"]
    sample += [f"{chance.choice(letters[:5000])}'{chance.choice(letters[:5000])}" for _ in range(300)]
    for word in sample:
        wordfreq_says = zipf_frequency(word.lower(), "en")
        assert lexicon.zipf(word) == (wordfreq_says if wordfreq_says >= lexicon.ZIPF_FLOOR else 0.0), word
