"""deploy/backup.sh and deploy/restore.sh against the local PostgreSQL: a real round trip.

Creates its own databases (source and restore target) and drops them afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.demo import init_demo
from app.migrate import upgrade
from content.db.db import make_engine
from content.seed import seed_org
from tests.conftest import PG_ADMIN_URL

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
pytestmark = pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                                reason="pg_dump/pg_restore not installed")


@pytest.fixture
def databases(pg_url):  # pg_url: skips (or fails under CI) when PostgreSQL is unreachable
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:8]
    names = {"source": f"gongkai_bk_src_{tag}", "target": f"gongkai_bk_dst_{tag}"}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = {k: make_url(PG_ADMIN_URL).set(database=v).render_as_string(hide_password=False) for k, v in names.items()}
    yield urls
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run(["bash", str(DEPLOY / name), *args], env=full, capture_output=True, text=True, timeout=120)


def _snapshot(url: str) -> tuple[dict[str, int], list[tuple]]:
    """Row count of every table, and the whole audit log in id order."""
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1")).scalars().all()
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        audit = [tuple(r) for r in conn.execute(text(
            "SELECT id, org_id, action, target_type, target_id, actor_id, actor_label, data::text, at "
            "FROM auditevent ORDER BY id")).all()]
        heads = conn.execute(text("SELECT version_num FROM alembic_version ORDER BY 1")).scalars().all()
    engine.dispose()
    counts["__heads__"] = len(heads)
    return counts, audit


def _seed(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s:
        seed_org(s, code="default", name="示例镇人民政府")
        s.commit()
    init_demo(engine, org_code="default", public_url="http://x")
    engine.dispose()


def test_backup_then_restore_into_a_fresh_database(databases, tmp_path):
    _seed(databases["source"])
    backups = tmp_path / "backups"
    r = _script("backup.sh", GONGKAI_DATABASE_URL=databases["source"].replace("postgresql://", "postgresql+psycopg://"),
                BACKUP_DIR=str(backups))
    assert r.returncode == 0, r.stderr
    dump = Path(r.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.suffix == ".dump" and Path(f"{dump}.sha256").exists()
    assert not list(backups.glob("*.partial"))

    r = _script("restore.sh", str(dump), databases["target"])
    assert r.returncode == 0, r.stderr
    source_counts, source_audit = _snapshot(databases["source"])
    target_counts, target_audit = _snapshot(databases["target"])
    assert source_counts["item"] >= 10 and source_counts["auditevent"] > 50
    assert target_counts == source_counts
    assert target_audit == source_audit

    # the restored database is a working gongkai database: migrations at head, demo detected
    from app.migrate import is_at_head

    engine = make_engine(databases["target"])
    assert is_at_head(engine)
    assert "直接复用" in init_demo(engine, org_code="default", public_url="http://x")[0]
    engine.dispose()

    # restoring over a database that has tables is refused and changes nothing
    r = _script("restore.sh", str(dump), databases["source"])
    assert r.returncode == 2 and "不是空库" in r.stderr
    assert _snapshot(databases["source"]) == (source_counts, source_audit)


def test_restore_refuses_a_corrupt_dump(databases, tmp_path):
    bad = tmp_path / "gongkai-bad.dump"
    bad.write_bytes(b"not a dump")
    r = _script("restore.sh", str(bad), databases["target"])
    assert r.returncode == 2 and "不是有效" in r.stderr


def test_retention_deletes_old_dumps_but_keeps_the_newest(databases, tmp_path):
    engine = make_engine(databases["source"])
    upgrade(engine)
    engine.dispose()
    backups = tmp_path / "b"
    backups.mkdir()
    old_time = time.time() - 40 * 86400
    for i in range(4):
        old = backups / f"gongkai-2020010{i}T000000Z.dump"
        old.write_bytes(b"x")
        os.utime(old, (old_time + i, old_time + i))
    r = _script("backup.sh", GONGKAI_DATABASE_URL=databases["source"], BACKUP_DIR=str(backups),
                BACKUP_KEEP_DAYS="30", BACKUP_KEEP_MIN="3")
    assert r.returncode == 0, r.stderr
    left = sorted(p.name for p in backups.glob("*.dump"))
    # the new dump plus the two newest old ones (keep_min=3); the two oldest are gone
    assert len(left) == 3
    assert "gongkai-20200100T000000Z.dump" not in left and "gongkai-20200103T000000Z.dump" in left


def test_backup_refuses_sqlite(tmp_path):
    r = _script("backup.sh", GONGKAI_DATABASE_URL=f"sqlite:///{tmp_path}/x.db", BACKUP_DIR=str(tmp_path))
    assert r.returncode == 2 and "PostgreSQL" in r.stderr


FAKE_TOOL = """#!/usr/bin/env bash
# Records how it was called, and what libpq would read from PGPASSFILE, then acts just enough.
{ printf 'argv:%s\\n' "$*"; printf 'pgpassfile:%s\\n' "${PGPASSFILE:-}"
  [ -n "${PGPASSFILE:-}" ] && printf 'mode:%s\\n' "$(stat -c %a "$PGPASSFILE")" && printf 'content:%s\\n' "$(cat "$PGPASSFILE")"
} >>"$RECORD"
case "$(basename "$0")" in
  pg_dump) for a in "$@"; do case "$a" in --file=*) echo dump >"${a#--file=}";; esac; done ;;
  psql) echo 0 ;;
esac
"""


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh"])
def test_database_password_never_on_the_command_line(tmp_path, script):
    """Regression: backup.sh passed postgresql://user:PASSWORD@… to pg_dump as an argument (visible in ps)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("pg_dump", "pg_restore", "psql"):
        (bin_dir / tool).write_text(FAKE_TOOL)
        (bin_dir / tool).chmod(0o755)
    record = tmp_path / "record.txt"
    url = "postgresql+psycopg://gk:s3cr%3At-pw@db.example:5432/gongkai"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "RECORD": str(record), "TMPDIR": str(tmp_path)}
    if script == "backup.sh":
        r = _script(script, GONGKAI_DATABASE_URL=url, BACKUP_DIR=str(tmp_path / "dumps"), **env)
    else:
        dump = tmp_path / "x.dump"
        dump.write_text("dump")
        r = _script(script, str(dump), url, **env)
    assert r.returncode == 0, r.stderr
    lines = record.read_text().splitlines()
    argv = [ln for ln in lines if ln.startswith("argv:")]
    assert argv and all("s3cr" not in ln for ln in argv)
    assert all("postgresql://gk@db.example:5432/gongkai" in ln for ln in argv if "postgresql://" in ln)
    assert "mode:600" in lines and "content:*:*:*:*:s3cr\\:t-pw" in lines
    assert not list(tmp_path.glob("gongkai-pgpass.*"))  # removed when the script ends
