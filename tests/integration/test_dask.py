"""`coursekit autograde --scheduler`: the same grading on a Dask cluster, with PostgreSQL.

A local cluster of separate worker processes (two workers, one thread each,
on 127.0.0.1) stands in for machines sharing the course folder; the gradebook
is the throwaway PostgreSQL server of test_postgres.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_autograde import MODULE, assert_same_as_nbgrader, course_with_class, reference
from test_postgres import postgres_server

from coursekit.cli import main
from coursekit.grading.gradebook import snapshot

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local Dask cluster of two single-threaded worker processes."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.nbgrader
@pytest.mark.kernel
def test_grading_on_a_dask_cluster_records_what_nbgrader_autograde_records(
        request, scheduler, tmp_path_factory, tmp_path, monkeypatch, capsys):
    reference(tmp_path_factory)  # plain nbgrader on SQLite, before this test points at the server
    database = postgres_server(request.config).create_database()
    course = course_with_class(tmp_path_factory, tmp_path / "course", db_url=database)
    monkeypatch.setenv("COURSEKIT_DB_URL", database)

    status = main(["autograde", MODULE, "--course", str(course), "--scheduler", scheduler])
    out = capsys.readouterr().out

    assert status == 1, out
    assert "alliance: 3 of 5 submission(s) graded" in out and "with 2 worker(s)" in out
    assert "dan: submitted/dan/alliance/alliance.ipynb: is not a readable notebook" in out
    assert "eve: submitted/eve/alliance: has no alliance.ipynb" in out
    assert_same_as_nbgrader(course, snapshot(database, "coursekit", MODULE), tmp_path_factory)

