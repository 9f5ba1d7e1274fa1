"""In-memory state of the WeChat/WeCom emulator: records, tokens, faults, drafts, publish jobs."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.articles import article_url

# WeChat error codes the emulator produces on its own.
INVALID_TOKEN = 40014
EXPIRED_TOKEN = 42001
INVALID_MEDIA = 40007
INVALID_PARAM = 40097
MISSING_PARAM = 41001
TITLE_TOO_LONG = 45003
DIGEST_TOO_LONG = 45004
NO_MASS_QUOTA = 45028


@dataclass
class Record:
    api: str  # "wecom" | "mp"
    endpoint: str  # path after cgi-bin/, e.g. "draft/add"
    method: str
    query: dict[str, str]
    json: Any
    files: dict[str, dict]  # field name -> {"filename", "size", "content_type"}
    response: dict
    at: float = field(default_factory=time.time)

    def as_dict(self) -> dict:
        return {"api": self.api, "endpoint": self.endpoint, "method": self.method, "query": self.query,
                "json": self.json, "files": self.files, "response": self.response, "at": self.at}


@dataclass
class Fault:
    api: str | None
    endpoint: str
    errcode: int
    errmsg: str
    times: int


class EmulatorState:
    """Everything the emulator remembers. Thread-safe: the server thread and tests share it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.base_url = "http://127.0.0.1"  # the emulator's own address, set when its server starts
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.records: list[Record] = []
            self.tokens: dict[str, str] = {}  # token -> api
            self.expired: set[str] = set()
            self.faults: list[Fault] = []
            self.token_ttl = 7200
            self.materials: dict[str, dict] = {}  # media_id -> {"type", "filename", "size", "url"}
            self.images: dict[str, bytes] = {}  # name -> bytes (uploadimg / add_material)
            self.drafts: dict[str, list[dict]] = {}  # media_id -> articles
            self.jobs: dict[str, dict] = {}  # publish_id -> {"media_id", "statuses", "article_id"}
            self.articles: dict[str, dict] = {}  # article_id -> {"media_id", "deleted", "urls"}
            self.cards: dict[str, dict] = {}  # response_code -> sent template card
            self.publish_plan: list[int] = [0]  # publish_status sequence given to each new job
            self.mass_jobs: dict[str, dict] = {}  # msg_id -> {"media_id", "statuses", "deleted"}
            self.mass_plan: list[str] = ["SEND_SUCCESS"]  # message/mass/get msg_status sequence per job
            self.mass_quota: int | None = None  # sendall answers 45028 after this many (None: no limit)

    def next_id(self) -> int:
        return next(self._ids)

    # ---- faults -----------------------------------------------------------------------------
    def add_fault(self, endpoint: str, errcode: int, *, times: int = 1, api: str | None = None,
                  errmsg: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(api, endpoint, errcode, errmsg or f"injected error {errcode}", times))

    def take_fault(self, api: str, endpoint: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.endpoint == endpoint and fault.api in (None, api) and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # ---- tokens -----------------------------------------------------------------------------
    def issue_token(self, api: str) -> str:
        with self.lock:
            token = f"{api}-token-{self.next_id()}"
            self.tokens[token] = api
            return token

    def check_token(self, api: str, token: str | None) -> int:
        with self.lock:
            if token in self.expired:
                return EXPIRED_TOKEN
            if not token or self.tokens.get(token) != api:
                return INVALID_TOKEN
            return 0

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on (forces a refresh)."""
        with self.lock:
            self.expired.update(self.tokens)
            self.tokens.clear()

    # ---- publishing -------------------------------------------------------------------------
    def mass_status(self, msg_id: str) -> str | None:
        """message/mass/get: advance the job along its planned statuses; the last one sticks."""
        with self.lock:
            job = self.mass_jobs.get(msg_id)
            if job is None:
                return None
            if job["deleted"]:
                return "DELETE"
            status = job["statuses"][0]
            if len(job["statuses"]) > 1:
                job["statuses"].pop(0)
            return status

    def publish_status(self, publish_id: str) -> dict | None:
        """freepublish/get: advance the job along its planned statuses; the last one sticks."""
        with self.lock:
            job = self.jobs.get(publish_id)
            if job is None:
                return None
            status = job["statuses"][0]
            if len(job["statuses"]) > 1:
                job["statuses"].pop(0)
            out: dict = {"publish_id": publish_id, "publish_status": status}
            if status == 0:
                article = self._article_of(job)
                out["article_id"] = job["article_id"]
                out["article_detail"] = {
                    "count": len(article["urls"]),
                    "item": [{"idx": i + 1, "article_url": u} for i, u in enumerate(article["urls"])],
                }
            elif status >= 2:
                out["fail_idx"] = [1]
            return out

    def _article_of(self, job: dict) -> dict:
        """The article a successful job made (created on first sight, as WeChat does when it finishes)."""
        if job.get("article_id") is None:
            article_id = f"article-{self.next_id()}"
            urls = [article_url(self.base_url, article_id, i + 1)
                    for i in range(len(self.drafts.get(job["media_id"], [])) or 1)]
            self.articles[article_id] = {"media_id": job["media_id"], "deleted": False, "urls": urls,
                                         "at": int(time.time())}
            job["article_id"] = article_id
        return self.articles[job["article_id"]]

    def published_records(self) -> list[dict]:
        """freepublish/batchget: every job that finished successfully, newest first, with its articles."""
        with self.lock:
            out = []
            for job in reversed(list(self.jobs.values())):
                if job["statuses"][0] != 0:
                    continue  # still publishing or failed: not in the publish records
                article = self._article_of(job)
                news = [{**art, "url": url, "is_deleted": article["deleted"]}
                        for art, url in zip(self.drafts.get(job["media_id"], []), article["urls"], strict=False)]
                out.append({"article_id": job["article_id"], "update_time": article["at"],
                            "content": {"news_item": news, "create_time": article["at"],
                                        "update_time": article["at"]}})
            return out
