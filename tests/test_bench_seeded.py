"""The bench's seeded-database cache: seeded once, reused while nothing that shapes the data changed."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.models import Case
from app.runtime import build_runtime
from app.seed import templates
from bench import seeded


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LOTSEN_BENCH_CACHE_DAYS", "7")
    return tmp_path / "cache"


@pytest.fixture
def base_url(pg_url):
    """The cached databases sit next to the test database on PostgreSQL (dropped afterwards)."""
    yield pg_url
    if pg_url:
        url = make_url(pg_url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for size in (20, 50):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}_s{size}" WITH (FORCE)'))
        admin.dispose()


def _cases(entry: seeded.Seeded) -> int:
    rt = build_runtime(entry.settings())
    try:
        with rt.db.unit_of_work(write=False) as session:
            return session.scalar(select(func.count()).select_from(Case))
    finally:
        rt.close()


def test_the_first_run_seeds_each_size_on_the_smaller_one_and_the_next_run_reuses_them(cache, base_url):
    first = list(seeded.databases([50, 20], base_url, cache))
    assert [(e.cases, e.reused) for e in first] == [(20, False), (50, False)]
    stages = len(templates.STAGES)  # each seed run also runs one real case to each stage (its templates)
    assert [_cases(e) for e in first] == [20 + stages, 50 + 2 * stages]  # 50: the 20 copied, 30 seeded on top
    assert first[1].open_tasks > 0 and first[0].url != first[1].url

    again = list(seeded.databases([20, 50], base_url, cache))
    assert [(e.cases, e.reused) for e in again] == [(20, True), (50, True)]
    assert [(e.url, e.token, e.seeded_at) for e in again] == [(e.url, e.token, e.seeded_at) for e in first]
    assert "cached database, seeded" in again[1].describe() and "seeded now" in first[1].describe()


def test_a_change_to_what_shapes_the_data_or_an_old_entry_seeds_again(cache, base_url, monkeypatch):
    old = seeded.key()
    [before] = list(seeded.databases([20], base_url, cache))
    monkeypatch.setattr(seeded, "key", lambda: "another-key")  # e.g. a new migration or seed change
    [after] = list(seeded.databases([20], base_url, cache))
    assert not after.reused and after.token != before.token
    assert not [p.name for p in cache.iterdir() if old in p.name]  # the old entry's files are gone
    meta = next(cache.glob("*another-key*")) / "meta.json"
    found = json.loads(meta.read_text())
    meta.write_text(json.dumps({**found, "seeded_at": "2020-01-01T00:00:00+00:00"}))
    [aged] = list(seeded.databases([20], base_url, cache))
    assert not aged.reused and aged.seeded_at > "2020-01-01"


def test_the_key_changes_with_the_seed_code_the_migrations_and_the_processes():
    assert {"app/seed", "migrations/versions", "processes", "app/models"} <= set(seeded.KEYED)
    assert seeded.key() == seeded.key() and len(seeded.key()) == 16
