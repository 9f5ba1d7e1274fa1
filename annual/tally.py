"""The year's figures for one org, by SQL aggregation only.

Each block is one SQL statement: a CTE makes ONE grouped scan of its table, grouped by a few
low-cardinality keys, then a UNION ALL of GROUP BYs over those grouped rows returns labelled aggregate
rows (figure, key, value), which are placed into the schema documented in docs/tally-schema.md. No row of
an items or register table ever reaches Python; the grouped CTE holds one row per (topic, area, origin,
channel list) or per (applicant type, result code), a few hundred whatever the table size.

Items are grouped by the text of their channel list, so each row's JSON is cast once and every channel
test (`LIKE '%"portal"%'`, groups, boards) runs on the few grouped rows, not on every item. On PostgreSQL
the planner must know that this grouping yields few groups, or it sorts a million rows instead of hashing
them: migration 0009 gives it multi-column statistics on exactly these keys (the cast expression
included), which ANALYZE keeps current. A `::jsonb ? 'portal'` test per row was measured slower than this.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, select

from annual.registers.codes import (
    APPEAL_KINDS,
    APPEAL_OUTCOMES,
    APPLICANT_TYPES,
    INTERACTION_KINDS,
    RESULT_CODES,
)
from content.disclosed import DISCLOSED_STATES
from content.models import Category, Organization
from content.models.base import UTCDateTime
from content.models.item_channel import ChannelKind, ChannelTarget
from content.timeutil import year_bounds_utc

SCHEMA = "gongkai.tally/1"
# An item is published (published_at set) when its first channel confirmed it (content.outbox.item_went_live),
# and counted when it is in one of content.disclosed.DISCLOSED_STATES — the same rule as the 两馆 export;
# items withdrawn later still count for the year they were published in. Per channel an item counts once
# that channel's publication was confirmed: the `channels` list says where it was meant to appear (one scan
# of `item`), and `_NOT_LIVE_SQL` takes off the channels of those items that never went live there — a
# handful of rows read through the outbox's state index.
# The cube's channel tests stay on the text of the item's list of entries (content.models.item_channel formats
# them): migration 0009's statistics are on it and `make bench` measured the cube so; `_GROUPS_NOT_LIVE_SQL`
# (a handful of rows) asks the `item_channel` rows.
_KIND = ChannelKind
CHANNEL_PATTERNS = {kind.value: f'%"{ChannelTarget(kind)}"%' for kind in (_KIND.portal, _KIND.mp, _KIND.board)}
GROUP_MARK = f'"{_KIND.wecom_group.value}:'  # one per group in a list: ["portal", "wecom_group:3", "wecom_group:7"]
CHANNEL_PATTERNS["group"] = f"%{GROUP_MARK}%"
NORMATIVE_CATEGORY_NAMES = ("行政规范性文件", "规范性文件")
UNCATEGORIZED = "未分类"
# Grid groups (网格群) and bulletin boards (公开栏): counted items whose list names a group / the board and
# whose publication there was confirmed, the group messages those items made (one per confirmed group), and
# the board notices the print queue records as put up during the year.
CHANNEL_COUNTS = ("wecom_group", "wecom_group_posts", "board", "board_posted")

# The expression `CAST(i.channels AS VARCHAR)` must stay as written: migration 0009's statistics are on it.
_ITEMS_SQL = """
WITH cube AS (
  SELECT i.topic_id AS topic_id, i.area_id AS area_id, i.origin AS origin, CAST(i.channels AS VARCHAR) AS ch,
         SUM(CASE WHEN i.disclosure_type = 'on_application' THEN 1 ELSE 0 END) AS on_app,
         SUM(CASE WHEN i.has_full_text THEN 1 ELSE 0 END) AS full_text,
         COUNT(*) AS n
  FROM item i
  WHERE i.org_id = :org AND i.published_at >= :start AND i.published_at < :end AND i.state IN :states
  GROUP BY i.topic_id, i.area_id, i.origin, CAST(i.channels AS VARCHAR)
)
SELECT 'published' AS fig, CAST(NULL AS VARCHAR(20)) AS k, SUM(n) AS v FROM cube
UNION ALL SELECT 'on_application', NULL, SUM(on_app) FROM cube
UNION ALL SELECT 'full_text', NULL, SUM(full_text) FROM cube
UNION ALL SELECT 'normative', NULL, SUM(n) FROM cube WHERE topic_id IN :cats OR area_id IN :cats
UNION ALL SELECT 'portal_topic', CAST(topic_id AS VARCHAR(20)), SUM(n) FROM cube WHERE ch LIKE :portal GROUP BY topic_id
UNION ALL SELECT 'portal_area', CAST(area_id AS VARCHAR(20)), SUM(n) FROM cube WHERE ch LIKE :portal GROUP BY area_id
UNION ALL SELECT 'mp_origin', origin, SUM(n) FROM cube WHERE ch LIKE :mp GROUP BY origin
UNION ALL SELECT 'wecom_group', NULL, SUM(n) FROM cube WHERE ch LIKE :group
UNION ALL SELECT 'wecom_group_posts', NULL,
  SUM(n * ((LENGTH(ch) - LENGTH(REPLACE(ch, CAST(:group_mark AS VARCHAR), ''))) / LENGTH(CAST(:group_mark AS VARCHAR))))
  FROM cube WHERE ch LIKE :group
UNION ALL SELECT 'board', NULL, SUM(n) FROM cube WHERE ch LIKE :board
UNION ALL SELECT 'board_posted', NULL, COUNT(*) FROM board_notice
  WHERE org_id = :org AND posted_at >= :start AND posted_at < :end
"""

# Chosen channels of counted items with no confirmed publication there (failed, still pending, cancelled…).
# Single-target channels here; grid groups (one row per group) in `_GROUPS_NOT_LIVE_SQL`.
NOT_LIVE_STATES = ("pending", "claimed", "sent", "failed", "unknown", "cancelled", "withdraw_pending", "withdrawn")
_NOT_LIVE_SQL = """
SELECT p.channel, i.topic_id, i.area_id, i.origin, CAST(i.channels AS VARCHAR), COUNT(DISTINCT i.id)
FROM publication p JOIN item i ON i.id = p.item_id
WHERE p.state IN :not_live AND p.confirmed_at IS NULL AND p.org_id = :org AND p.channel IN ('portal', 'mp', 'board')
  AND i.published_at >= :start AND i.published_at < :end AND i.state IN :states
  AND NOT EXISTS (SELECT 1 FROM publication q WHERE q.item_id = p.item_id AND q.channel = p.channel
                  AND q.confirmed_at IS NOT NULL)
GROUP BY p.channel, i.topic_id, i.area_id, i.origin, CAST(i.channels AS VARCHAR)
"""

# Grid groups of counted items that never went live there: per (item, group) one message less, and one item
# less for an item none of whose groups went live. A group the item's list no longer names added nothing.
_GROUPS_NOT_LIVE_SQL = """
WITH nl AS (
  SELECT p.item_id AS item_id, p.target AS target
  FROM publication p JOIN item i ON i.id = p.item_id
  WHERE p.state IN :not_live AND p.confirmed_at IS NULL AND p.org_id = :org AND p.channel = 'wecom_group'
    AND i.published_at >= :start AND i.published_at < :end AND i.state IN :states
    AND EXISTS (SELECT 1 FROM item_channel c WHERE c.item_id = p.item_id AND c.kind = 'wecom_group'
                AND CAST(c.target_id AS VARCHAR(20)) = p.target)
    AND NOT EXISTS (SELECT 1 FROM publication q WHERE q.item_id = p.item_id AND q.channel = p.channel
                    AND q.target = p.target AND q.confirmed_at IS NOT NULL)
  GROUP BY p.item_id, p.target
)
SELECT 'wecom_group_posts' AS fig, CAST(NULL AS VARCHAR(20)) AS k, -COUNT(*) AS v FROM nl
UNION ALL SELECT 'wecom_group', NULL, -COUNT(DISTINCT nl.item_id) FROM nl
  WHERE NOT EXISTS (SELECT 1 FROM publication q WHERE q.item_id = nl.item_id AND q.channel = 'wecom_group'
                    AND q.confirmed_at IS NOT NULL)
"""

_APPLICATIONS_SQL = """
WITH a AS (
  SELECT applicant_type AS t, result AS r,
         SUM(CASE WHEN received_on >= :first THEN 1 ELSE 0 END) AS new,
         SUM(CASE WHEN received_on < :first THEN 1 ELSE 0 END) AS carried_in,
         SUM(CASE WHEN replied_on <= :last THEN 1 ELSE 0 END) AS closed,
         SUM(CASE WHEN replied_on IS NULL OR replied_on > :last THEN 1 ELSE 0 END) AS carried_out,
         SUM(CASE WHEN replied_on <= :last AND due_on IS NOT NULL THEN 1 ELSE 0 END) AS timed,
         SUM(CASE WHEN replied_on <= :last AND due_on IS NOT NULL AND replied_on <= due_on THEN 1 ELSE 0 END)
           AS on_time,
         SUM(CASE WHEN (replied_on IS NULL OR replied_on > :last) AND due_provisional = :true THEN 1 ELSE 0 END)
           AS provisional
  FROM disclosureapplication
  WHERE org_id = :org AND received_on <= :last AND (replied_on IS NULL OR replied_on >= :first)
  GROUP BY applicant_type, result
)
SELECT 'new' AS fig, t, CAST(NULL AS VARCHAR(30)) AS r, SUM(new) AS v FROM a GROUP BY t HAVING SUM(new) > 0
UNION ALL SELECT 'carried_in', t, NULL, SUM(carried_in) FROM a GROUP BY t HAVING SUM(carried_in) > 0
UNION ALL SELECT 'result', t, r, SUM(closed) FROM a GROUP BY t, r HAVING SUM(closed) > 0
UNION ALL SELECT 'carried_out', t, NULL, SUM(carried_out) FROM a GROUP BY t HAVING SUM(carried_out) > 0
UNION ALL SELECT 'timed', NULL, NULL, COALESCE(SUM(timed), 0) FROM a
UNION ALL SELECT 'on_time', NULL, NULL, COALESCE(SUM(on_time), 0) FROM a
UNION ALL SELECT 'provisional', NULL, NULL, COALESCE(SUM(provisional), 0) FROM a
"""

_INTERACTIONS_SQL = """
SELECT kind, COUNT(*), COALESCE(SUM(participants), 0), COALESCE(SUM(suggestions), 0)
FROM interaction WHERE org_id = :org AND starts_on >= :first AND starts_on <= :last GROUP BY kind
"""

_APPEALS_SQL = """
SELECT kind,
       CASE WHEN outcome = 'pending' OR decided_on IS NULL OR decided_on > :last THEN 'pending' ELSE outcome END,
       COUNT(*)
FROM appealcase WHERE org_id = :org AND filed_on >= :first AND filed_on <= :last GROUP BY 1, 2
"""


def _date_params(year: int) -> dict[str, Any]:
    return {"first": date(year, 1, 1), "last": date(year, 12, 31)}


def _dated(sql: str):
    return text(sql).bindparams(bindparam("first", type_=Date()), bindparam("last", type_=Date()))


def tally_items(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    start, end = year_bounds_utc(year)
    cats = session.exec(select(Category.id, Category.name, Category.taxonomy).where(Category.org_id == org_id)
                        .order_by(Category.taxonomy, Category.sort, Category.id)).all()
    normative_ids = [cid for cid, name, _ in cats if name in NORMATIVE_CATEGORY_NAMES]
    stmt = text(_ITEMS_SQL).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()),
                                       bindparam("cats", expanding=True), bindparam("states", expanding=True))
    params = {"org": org_id, "start": start, "end": end, "cats": normative_ids, "group_mark": GROUP_MARK,
              "states": list(DISCLOSED_STATES), **CHANNEL_PATTERNS}
    rows = session.connection().execute(stmt, params).all() + _not_live(session, org_id=org_id, start=start, end=end)
    names = {cid: name for cid, name, _ in cats}
    by_topic = {name: 0 for _, name, tax in cats if tax == "topic"}
    by_area = {name: 0 for _, name, tax in cats if tax == "area"}
    out: dict[str, Any] = {"published": 0, "on_application": 0, "full_text": 0,
                           "portal": {"total": 0, "by_topic": by_topic, "by_area": by_area},
                           "mp": {"total": 0, "original": 0, "repost": 0},
                           # items in a 规范性文件 category; None when the org has no such category
                           "normative_documents": 0 if normative_ids else None}
    channels = {key: 0 for key in CHANNEL_COUNTS}
    for fig, key, value in rows:  # labelled aggregates, a few dozen at most
        value = int(value or 0)
        if fig in ("published", "on_application", "full_text"):
            out[fig] = value
        elif fig in CHANNEL_COUNTS:
            channels[fig] += value
        elif fig == "normative":
            if normative_ids:
                out["normative_documents"] = value
        elif fig in ("portal_topic", "portal_area"):
            target = by_topic if fig == "portal_topic" else by_area
            name = names.get(int(key), UNCATEGORIZED) if key is not None else UNCATEGORIZED
            target[name] = target.get(name, 0) + value
            if fig == "portal_topic":
                out["portal"]["total"] += value
        elif fig == "mp_origin":
            out["mp"]["repost" if key == "repost" else "original"] += value
            out["mp"]["total"] += value
    out["by_channel"] = {"portal": out["portal"]["total"], "mp": out["mp"]["total"],
                         **{key: channels[key] for key in CHANNEL_COUNTS}}
    return out


def _not_live_stmt(sql: str):
    return text(sql).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()),
                                bindparam("not_live", expanding=True), bindparam("states", expanding=True))


def _not_live(session: Session, *, org_id: int, start, end) -> list[tuple[str, str | None, int]]:
    """Negative (figure, key, value) rows for chosen channels that never went live (see `_NOT_LIVE_SQL` and
    `_GROUPS_NOT_LIVE_SQL`)."""
    params = {"org": org_id, "start": start, "end": end, "not_live": list(NOT_LIVE_STATES),
              "states": list(DISCLOSED_STATES)}
    conn = session.connection()
    found = conn.execute(_not_live_stmt(_NOT_LIVE_SQL), params).all()
    groups = conn.execute(_not_live_stmt(_GROUPS_NOT_LIVE_SQL),
                          params).all()
    out: list[tuple[str, str | None, int]] = [(fig, key, int(value or 0)) for fig, key, value in groups]
    for channel, topic_id, area_id, origin, chosen, n in found:
        if f'"{channel}"' not in (chosen or ""):
            continue  # an older review's row for a channel the item no longer names: it added nothing
        n = -int(n)
        if channel == "portal":
            out += [("portal_topic", None if topic_id is None else str(topic_id), n),
                    ("portal_area", None if area_id is None else str(area_id), n)]
        elif channel == "mp":
            out.append(("mp_origin", origin, n))
        else:
            out.append(("board", None, n))
    return out


def _by_type() -> dict[str, int]:
    return {**{code: 0 for code in APPLICANT_TYPES}, "total": 0}


def tally_applications(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    params = {"org": org_id, "true": True, **_date_params(year)}
    rows = session.connection().execute(_dated(_APPLICATIONS_SQL), params).all()
    out: dict[str, Any] = {"new": _by_type(), "carried_in": _by_type(), "carried_out": _by_type(),
                           "results": {code: _by_type() for code in RESULT_CODES},
                           "closed": _by_type(), "timed": 0, "on_time": 0, "provisional_due": 0}
    for fig, app_type, result, value in rows:
        value = int(value)
        if fig in ("timed", "on_time"):
            out[fig] = value
        elif fig == "provisional":
            out["provisional_due"] = value
        else:
            targets = [out[fig]] if fig != "result" else [out["results"][result], out["closed"]]
            for target in targets:
                target[app_type] = target.get(app_type, 0) + value
                target["total"] += value
    out["on_time_rate"] = round(out["on_time"] / out["timed"], 4) if out["timed"] else None
    return out


def tally_interactions(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    rows = session.connection().execute(_dated(_INTERACTIONS_SQL), {"org": org_id, **_date_params(year)}).all()
    out = {kind: {"count": 0, "participants": 0, "suggestions": 0} for kind in INTERACTION_KINDS}
    total = {"count": 0, "participants": 0, "suggestions": 0}
    for kind, count, participants, suggestions in rows:
        out[kind] = {"count": int(count), "participants": int(participants), "suggestions": int(suggestions)}
        for key, value in out[kind].items():
            total[key] += value
    return {**out, "total": total}


def tally_appeals(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    rows = session.connection().execute(_dated(_APPEALS_SQL), {"org": org_id, **_date_params(year)}).all()
    out = {kind: {**{o: 0 for o in APPEAL_OUTCOMES}, "total": 0} for kind in APPEAL_KINDS}
    for kind, outcome, count in rows:
        out[kind][outcome] += int(count)
        out[kind]["total"] += int(count)
    return out


def tally(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    """Every figure of one org-year (schema: docs/tally-schema.md)."""
    from annual.registers.store import get_annual_figures

    org = session.get(Organization, org_id)
    result = {
        "schema": SCHEMA,
        "org": {"id": org_id, "name": org.name if org else ""},
        "year": year,
        "items": tally_items(session, org_id=org_id, year=year),
        "interactions": tally_interactions(session, org_id=org_id, year=year),
        "applications": tally_applications(session, org_id=org_id, year=year),
        "appeals": tally_appeals(session, org_id=org_id, year=year),
        "annual_figures": get_annual_figures(session, org_id=org_id, year=year),
    }
    result["empty"] = is_empty(result)
    return result


def is_empty(t: dict[str, Any]) -> bool:
    a = t["applications"]
    return not (t["items"]["published"] or t["interactions"]["total"]["count"] or a["new"]["total"]
                or a["carried_in"]["total"] or sum(g["total"] for g in t["appeals"].values()) or t["annual_figures"])
