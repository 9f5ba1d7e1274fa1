"""file store: the stored_file table; data: URIs in items and revisions moved into the store

Files (body images, covers, attachments) used to live as data: URIs inside `item` and `revision`
rows. This migration writes each one to the file store (the directory or S3 store the settings name,
exactly as the running app will) and rewrites the rows to reference `/files/<sha256>`.

Why history is rewritten here, and only here: a revision's `content_hash` is the SHA-256 of its
snapshot, and approvals (`reviewstep.content_hash`) and the outbox (`publication.content_hash`) name
that hash; publishing re-checks it. Rewriting the snapshot without the hashes would make every approved
item unpublishable; keeping the data: URIs would keep the bytes in rows. The rewrite is meaning-preserving
and provable: a data: URI and `/files/<sha256>` name the same bytes (the store verifies the SHA-256 on
every read for publishing), so an approval of the old snapshot is an approval of the new one. Every
old → new hash pair is recorded in one `files.migrate` audit event per item (the audit log itself is
append-only and is not rewritten), and everything happens in the migration's one transaction.

Revision ID: 0012_file_store
Revises: 0011_merge_heads
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012_file_store"
down_revision = "0011_merge_heads"
branch_labels = None
depends_on = None

_IMG_DATA_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(data:[^"']*)\2""", re.IGNORECASE)
_DATA_URI = re.compile(r"^data:([\w/+.-]*)(?:;[\w=.-]+)*;base64,(.*)$", re.S)
_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _content_hash(content: dict) -> str:
    """Pinned copy of content.store.content_hash as of this migration."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json(value):
    if isinstance(value, str):
        return json.loads(value)
    return value


class _Mover:
    """Puts data: URIs into the store (once per org and hash) and answers their file URLs."""

    def __init__(self, bind, backend, stored_file) -> None:
        self.bind, self.backend, self.t = bind, backend, stored_file
        self.known: set[tuple[int, str]] = set()

    def url(self, uri: str, *, org_id: int, created_by: int | None, name: str) -> str | None:
        m = _DATA_URI.match(uri)
        if not m:
            return None
        try:
            data = base64.b64decode(m.group(2), validate=False)
        except (binascii.Error, ValueError):
            return None
        sha = hashlib.sha256(data).hexdigest()
        if (org_id, sha) not in self.known:
            self.backend.put(sha, data)
            exists = self.bind.execute(sa.select(self.t.c.id).where(self.t.c.org_id == org_id,
                                                                    self.t.c.sha256 == sha)).first()
            if exists is None:
                mime = next((v for k, v in _MAGIC.items() if data.startswith(k)), None) or m.group(1) or \
                    "application/octet-stream"
                self.bind.execute(self.t.insert().values(
                    org_id=org_id, sha256=sha, size=len(data), mime_type=mime[:100], original_name=name[:200],
                    created_by=created_by, created_at=datetime.now(UTC)))
            self.known.add((org_id, sha))
        return f"/files/{sha}"

    def content(self, c: dict, *, org_id: int, created_by: int | None) -> dict:
        c = dict(c)
        body = c.get("body_html") or ""
        if "data:" in body:
            def swap(m):
                url = self.url(m.group(3), org_id=org_id, created_by=created_by, name="image")
                return f"{m.group(1)}{m.group(2)}{url or m.group(3)}{m.group(2)}"
            c["body_html"] = _IMG_DATA_SRC.sub(swap, body)
        cover = c.get("cover_image")
        if isinstance(cover, str) and cover.startswith("data:"):
            c["cover_image"] = self.url(cover, org_id=org_id, created_by=created_by, name="cover") or cover
        atts = c.get("attachments")
        if isinstance(atts, list):
            out = []
            for a in atts:
                data = a.get("data") if isinstance(a, dict) else None
                url = self.url(data, org_id=org_id, created_by=created_by, name=str(a.get("name") or "file")) \
                    if isinstance(data, str) else None
                if url:
                    sha = url.rsplit("/", 1)[1]
                    row = self.bind.execute(sa.select(self.t.c.size, self.t.c.mime_type).where(
                        self.t.c.org_id == org_id, self.t.c.sha256 == sha)).one()
                    a = {"name": str(a.get("name") or "file"), "url": url, "size": row.size, "mime": row.mime_type}
                out.append(a)
            c["attachments"] = out
        return c


def _backend(bind):
    """The backend the running app will use: the settings' store, `files` beside a SQLite database by default."""
    from content.settings import Settings
    from content.files.backends import backend_from_settings

    return backend_from_settings(Settings(), database_url=bind.engine.url.render_as_string(hide_password=False))


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("org_id", "sha256", name="uq_stored_file_org_sha256"),
    )
    op.create_index("ix_stored_file_org_id", "stored_file", ["org_id"])
    op.create_index("ix_stored_file_sha256", "stored_file", ["sha256"])
    _move_data_uris(op.get_bind())


def _move_data_uris(bind, backend=None) -> None:
    meta = sa.MetaData()
    item = sa.Table("item", meta, autoload_with=bind)
    rev = sa.Table("revision", meta, autoload_with=bind)
    step = sa.Table("reviewstep", meta, autoload_with=bind)
    pub = sa.Table("publication", meta, autoload_with=bind)
    audit = sa.Table("auditevent", meta, autoload_with=bind)
    stored = sa.Table("stored_file", meta, autoload_with=bind)
    like = "%data:%"
    todo = bind.execute(sa.select(item.c.id).where(sa.or_(
        item.c.body_html.like(like), item.c.cover_image.like(like), sa.cast(item.c.attachments, sa.String).like(like),
        item.c.id.in_(sa.select(rev.c.item_id).where(sa.cast(rev.c.content, sa.String).like(like)))))
    ).scalars().all()
    if not todo:
        return
    mover = _Mover(bind, backend or _backend(bind), stored)
    for item_id in todo:
        row = bind.execute(sa.select(item).where(item.c.id == item_id)).mappings().one()
        org_id, drafter = row["org_id"], row["drafter_id"]
        new = mover.content({"body_html": row["body_html"], "cover_image": row["cover_image"],
                             "attachments": _json(row["attachments"]) or []}, org_id=org_id, created_by=drafter)
        bind.execute(item.update().where(item.c.id == item_id).values(**new))
        changed = {}
        for r in bind.execute(sa.select(rev.c.id, rev.c.content, rev.c.content_hash, rev.c.created_by)
                              .where(rev.c.item_id == item_id)).mappings().all():
            content = mover.content(_json(r["content"]) or {}, org_id=org_id, created_by=r["created_by"])
            new_hash = _content_hash(content)
            if new_hash != r["content_hash"]:
                bind.execute(rev.update().where(rev.c.id == r["id"]).values(content=content, content_hash=new_hash))
                changed[r["content_hash"]] = new_hash
        for old, new_hash in changed.items():
            bind.execute(step.update().where(step.c.item_id == item_id, step.c.content_hash == old)
                         .values(content_hash=new_hash))
            bind.execute(pub.update().where(pub.c.item_id == item_id, pub.c.content_hash == old)
                         .values(content_hash=new_hash))
        if changed:
            bind.execute(audit.insert().values(
                org_id=org_id, at=datetime.now(UTC), actor_id=None, actor_label="system", action="files.migrate",
                target_type="item", target_id=item_id,
                data={"content_hashes": changed, "why": "data: URIs moved to the file store (0012_file_store)"}))


def downgrade() -> None:
    # The files stay in the store and the rows keep their /files/ URLs: only the table goes.
    op.drop_index("ix_stored_file_sha256", table_name="stored_file")
    op.drop_index("ix_stored_file_org_id", table_name="stored_file")
    op.drop_table("stored_file")
