"""The benchmark's environment (bench/env.py): what every run depends on to start from the same data and to leave
other people's Redis and databases alone."""

import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import uuid

import pytest
import redis

from bench.env import BenchRedis, Children, Database, free_port, prepare_database

needs_redis = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@needs_redis
def test_own_redis_keeps_nothing_and_stops_with_the_bench():
    """The bench's own Redis listens on a port of its own, persists nothing, and is gone after the run."""
    children = Children()
    own = BenchRedis()
    try:
        url = own.start(children)
        port = urllib.parse.urlsplit(url).port
        assert port != 6379
        config = own.client()
        assert config.config_get("save") == {"save": ""}
        assert config.config_get("appendonly") == {"appendonly": "no"}
        assert own.queue_length() == 0
    finally:
        own.stop(children)
        children.stop_all()
    assert not _listening(port)
    assert children.running == []


@needs_redis
def test_a_given_redis_is_never_flushed_or_stopped():
    """With --redis-url the bench uses that Redis and leaves it as it found it: keys kept, server running."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        other = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                other.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        other.set("someone-else", "kept")
        other.rpush("celery", "a message of someone else")
        children = Children()
        given = BenchRedis(url)
        assert given.start(children) == url
        assert given.queue_length() == 1
        given.stop(children)
        children.stop_all()
        assert other.get("someone-else") == b"kept"
        assert other.llen("celery") == 1
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)


def _sqlite_rows(path) -> list:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT n FROM t ORDER BY n").fetchall()


def test_each_run_starts_from_the_seed_and_leaves_it_untouched(tmp_path):
    """A run's database is a fresh copy of the seed: what the previous run wrote is gone, the seed unchanged."""
    seed, run = tmp_path / "seed.sqlite3", tmp_path / "run.sqlite3"
    with sqlite3.connect(seed) as conn:
        conn.execute("CREATE TABLE t (n integer)")
        conn.execute("INSERT INTO t VALUES (1)")
    db = Database(url=f"sqlite:///{run}", vendor="sqlite", name=str(run), seed=str(seed))
    prepare_database(db, scale="10k", default_name=False, skip_generate=True)
    with sqlite3.connect(run) as conn:
        conn.execute("INSERT INTO t VALUES (2)")
    prepare_database(db, scale="10k", default_name=False, skip_generate=True)
    assert _sqlite_rows(run) == [(1,)]
    assert _sqlite_rows(seed) == [(1,)]


def test_a_database_the_bench_did_not_make_is_never_dropped(tmp_path):
    """A database at --database-url that is not the bench's copy of the seed is refused, not replaced."""
    seed, theirs = tmp_path / "seed.sqlite3", tmp_path / "theirs.sqlite3"
    for path, n in ((seed, 1), (theirs, 7)):
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (n integer)")
            conn.execute("INSERT INTO t VALUES (?)", [n])
    db = Database(url=f"sqlite:///{theirs}", vendor="sqlite", name=str(theirs), seed=str(seed))
    with pytest.raises(SystemExit, match="was not made by the bench"):
        prepare_database(db, scale="10k", default_name=False, skip_generate=True)
    assert _sqlite_rows(theirs) == [(7,)]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_postgres_copy_is_made_from_the_template_and_marked():
    """On PostgreSQL the run's database is CREATE DATABASE … TEMPLATE seed, marked as the bench's copy; the next
    run drops only that marked copy; an unmarked database of the same name is refused."""
    import psycopg

    base = os.environ["DATABASE_URL"]
    admin_url = urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="/postgres"))
    admin_url = admin_url.replace("postgres://", "postgresql://", 1)
    suffix = uuid.uuid4().hex[:8]
    seed, run = f"bench_test_seed_{suffix}", f"bench_test_run_{suffix}"
    run_url = urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path=f"/{run}"))

    def sql(statement, url=admin_url):
        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else None

    sql(f'CREATE DATABASE "{seed}"')
    try:
        seed_url = admin_url.rsplit("/", 1)[0] + f"/{seed}"
        sql("CREATE TABLE t (n integer); INSERT INTO t VALUES (1)", seed_url)
        db = Database(url=run_url, vendor="postgresql", name=run, seed=seed)
        prepare_database(db, scale="10k", default_name=False, skip_generate=True)
        copy_url = admin_url.rsplit("/", 1)[0] + f"/{run}"
        sql("INSERT INTO t VALUES (2)", copy_url)
        prepare_database(db, scale="10k", default_name=False, skip_generate=True)
        assert sql("SELECT n FROM t ORDER BY n", copy_url) == [(1,)]
        assert sql("SELECT n FROM t ORDER BY n", seed_url) == [(1,)]
        sql(f'COMMENT ON DATABASE "{run}" IS NULL')
        with pytest.raises(SystemExit, match="was not made by the bench"):
            prepare_database(db, scale="10k", default_name=False, skip_generate=True)
    finally:
        sql(f'DROP DATABASE IF EXISTS "{run}"')
        sql(f'DROP DATABASE IF EXISTS "{seed}"')
