"""The Prometheus text exposition of /metrics, hand-written (no client library needed).

Database figures are read with a few aggregate queries at scrape time, so every worker reports
the same numbers; the callback counters are per process (label `pid`).
"""

from __future__ import annotations

import os
from datetime import UTC, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from content.models import Item, Publication, ReviewStep
from content.timeutil import utcnow

# Histogram buckets in seconds; the platforms retry after 5 s, so 5 is the one that matters.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
# Review ages in hours.
REVIEW_AGE_BUCKETS = (1, 4, 24, 72, 168)
RECENT_SENT = 200  # how many recently sent publications the lag quantiles look at


def _esc(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: object) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_esc(v)}"' for k, v in labels.items()) + "}"


class Exposition:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float, **labels: object) -> None:
        self.lines.append(f"{name}{_labels(**labels)} {float(value):g}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def _db_metrics(out: Exposition, session: Session) -> None:
    now = utcnow()
    out.family("gongkai_publications", "gauge", "Publications by state and channel.")
    rows = session.execute(
        select(Publication.channel, Publication.state, func.count()).group_by(Publication.channel, Publication.state)
    ).all()
    for channel, state, count in rows:
        out.sample("gongkai_publications", count, channel=channel, state=state)

    out.family("gongkai_items", "gauge", "Items by state.")
    for state, count in session.execute(select(Item.state, func.count()).group_by(Item.state)).all():
        out.sample("gongkai_items", count, state=state)

    oldest_due = session.execute(
        select(func.min(Publication.due_at)).where(Publication.state.in_(("pending", "claimed")),
                                                   Publication.due_at <= now)
    ).scalar()
    lag = max(0.0, (now - _aware(oldest_due)).total_seconds()) if oldest_due else 0.0
    out.family("gongkai_dispatch_lag_seconds", "gauge",
               "Age of the oldest due publication not yet sent (0 when nothing is waiting).")
    out.sample("gongkai_dispatch_lag_seconds", lag)

    recent = session.execute(
        select(Publication.due_at, Publication.sent_at).where(Publication.sent_at.is_not(None))
        .order_by(Publication.sent_at.desc()).limit(RECENT_SENT)
    ).all()
    lags = sorted(max(0.0, (_aware(s) - _aware(d)).total_seconds()) for d, s in recent)
    out.family("gongkai_sent_lag_seconds", "gauge",
               f"Due-to-sent lag quantiles over the last {RECENT_SENT} sent publications.")
    for q in (0.5, 0.95):
        out.sample("gongkai_sent_lag_seconds", _quantile(lags, q), quantile=q)

    pending = ReviewStep.decision == "pending"
    opened = ReviewStep.opened_at.is_not(None)
    out.family("gongkai_review_age_hours", "histogram", "Age of open review gates, in hours.")
    total = session.execute(select(func.count()).where(pending, opened)).scalar() or 0
    for bound in REVIEW_AGE_BUCKETS:
        older = session.execute(
            select(func.count()).where(pending, opened, ReviewStep.opened_at < now - timedelta(hours=bound))
        ).scalar() or 0
        out.sample("gongkai_review_age_hours_bucket", total - older, le=bound)
    out.sample("gongkai_review_age_hours_bucket", total, le="+Inf")
    out.sample("gongkai_review_age_hours_count", total)
    oldest_open = session.execute(select(func.min(ReviewStep.opened_at)).where(pending, opened)).scalar()
    out.family("gongkai_review_oldest_hours", "gauge", "Age of the oldest open review gate, in hours.")
    out.sample("gongkai_review_oldest_hours",
               (now - _aware(oldest_open)).total_seconds() / 3600 if oldest_open else 0.0)


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _callback_metrics(out: Exposition, stats) -> None:
    pid = os.getpid()
    out.family("gongkai_callbacks_total", "counter", "WeChat callbacks handled by this worker, by result.")
    for (endpoint, method, result), count in sorted(stats.results.items()):
        out.sample("gongkai_callbacks_total", count, endpoint=endpoint, method=method, result=result, pid=pid)
    out.family("gongkai_callback_seconds", "histogram", "WeChat callback handling time in this worker.")
    for endpoint in sorted(stats.counts):
        for bound in LATENCY_BUCKETS:
            out.sample("gongkai_callback_seconds_bucket", stats.buckets[(endpoint, bound)],
                       endpoint=endpoint, le=bound, pid=pid)
        out.sample("gongkai_callback_seconds_bucket", stats.counts[endpoint], endpoint=endpoint, le="+Inf", pid=pid)
        out.sample("gongkai_callback_seconds_sum", stats.sums[endpoint], endpoint=endpoint, pid=pid)
        out.sample("gongkai_callback_seconds_count", stats.counts[endpoint], endpoint=endpoint, pid=pid)


def render(engine: Engine, stats=None) -> str:
    out = Exposition()
    try:
        with Session(engine) as session:
            _db_metrics(out, session)
        up = 1
    except Exception:  # noqa: BLE001 - a scrape must answer even when the database does not
        up = 0
    out.family("gongkai_up", "gauge", "1 when the database answered this scrape.")
    out.sample("gongkai_up", up)
    if stats is not None:
        _callback_metrics(out, stats)
    return out.text()
