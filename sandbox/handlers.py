"""Per-endpoint behaviour of the emulator. Each handler gets (state, query, json_body, files)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sandbox.articles import image_url, mass_url
from sandbox.state import (
    DIGEST_TOO_LONG,
    INVALID_MEDIA,
    INVALID_PARAM,
    MISSING_PARAM,
    NO_MASS_QUOTA,
    TITLE_TOO_LONG,
    EmulatorState,
)

OK = {"errcode": 0, "errmsg": "ok"}


def token(state: EmulatorState, api: str, query: dict) -> dict:
    fault = state.take_fault(api, "token" if api == "mp" else "gettoken")
    if fault is not None:
        return {"errcode": fault.errcode, "errmsg": fault.errmsg}
    ident, secret = (query.get("appid"), query.get("secret")) if api == "mp" else \
        (query.get("corpid"), query.get("corpsecret"))
    if not ident or not secret:
        return {"errcode": MISSING_PARAM, "errmsg": "missing appid/secret"}
    return {**OK, "access_token": state.issue_token(api), "expires_in": state.token_ttl}


def _need(body: dict, *keys: str) -> dict | None:
    missing = [k for k in keys if not body.get(k)]
    return {"errcode": MISSING_PARAM, "errmsg": f"missing {', '.join(missing)}"} if missing else None


def wecom_send(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    problem = _need(body, "touser", "msgtype", "agentid")
    if problem:
        return problem
    out = {**OK, "invaliduser": "", "msgid": f"msg-{state.next_id()}"}
    if body["msgtype"] == "template_card":
        code = f"rc-{state.next_id()}"
        with state.lock:
            state.cards[code] = {"touser": body["touser"], "card": body.get("template_card", {}), "updates": []}
        out["response_code"] = code
    return out


def wecom_update_card(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    problem = _need(body, "response_code", "agentid")
    if problem:
        return problem
    with state.lock:
        card = state.cards.get(body["response_code"])
        if card is None:
            return {"errcode": 40058, "errmsg": "invalid response_code"}
        card["updates"].append(body)
    return {**OK, "invaliduser": []}


def mp_template_send(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    return _need(body, "touser", "template_id") or {**OK, "msgid": state.next_id()}


def mp_custom_send(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    return _need(body, "touser", "msgtype") or OK


def _store_image(state: EmulatorState, files: dict) -> tuple[str, dict] | None:
    media = files.get("media")
    if not media:
        return None
    name = f"{state.next_id()}.jpg"
    with state.lock:
        state.images[name] = media["data"]
    media.pop("data", None)  # the record keeps filename and size only
    return name, media


def mp_uploadimg(state: EmulatorState, _q: dict, _b: dict, files: dict) -> dict:
    stored = _store_image(state, files)
    if stored is None:
        return {"errcode": MISSING_PARAM, "errmsg": "missing media"}
    return {"url": image_url(stored[0])}


def mp_add_material(state: EmulatorState, query: dict, _b: dict, files: dict) -> dict:
    stored = _store_image(state, files)
    if stored is None:
        return {"errcode": MISSING_PARAM, "errmsg": "missing media"}
    kind = query.get("type", "image")
    media_id = f"{kind}-{state.next_id()}"
    url = image_url(stored[0])
    with state.lock:
        state.materials[media_id] = {"type": kind, "filename": stored[1]["filename"],
                                     "size": stored[1]["size"], "url": url}
    return {"media_id": media_id, "url": url}


def mp_draft_add(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    articles = body.get("articles")
    if not isinstance(articles, list) or not articles:
        return {"errcode": MISSING_PARAM, "errmsg": "missing articles"}
    for art in articles:
        problem = _need(art, "title", "content", "thumb_media_id")
        if problem:
            return problem
        if art["thumb_media_id"] not in state.materials:
            return {"errcode": INVALID_MEDIA, "errmsg": "invalid media_id"}
        if len(art["title"]) > 64:
            return {"errcode": TITLE_TOO_LONG, "errmsg": "title size out of limit"}
        if len(art.get("digest") or "") > 120:
            return {"errcode": DIGEST_TOO_LONG, "errmsg": "digest size out of limit"}
    media_id = f"draft-{state.next_id()}"
    with state.lock:
        state.drafts[media_id] = articles
    return {"media_id": media_id}


def mp_freepublish_submit(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    media_id = body.get("media_id")
    if media_id not in state.drafts:
        return {"errcode": INVALID_MEDIA, "errmsg": "invalid media_id"}
    publish_id = str(100000 + state.next_id())
    with state.lock:
        state.jobs[publish_id] = {"media_id": media_id, "statuses": list(state.publish_plan or [0]),
                                  "article_id": None}
    return {**OK, "publish_id": publish_id, "msg_data_id": state.next_id()}


def mp_freepublish_get(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    out = state.publish_status(str(body.get("publish_id", "")))
    return {"errcode": 53600, "errmsg": "invalid publish_id"} if out is None else {**OK, **out}


def mp_freepublish_batchget(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    """The publish records (已发布), newest first: offset, count (1–20), no_content."""
    try:
        offset, count = int(body.get("offset", 0)), int(body.get("count", 0))
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 20 or offset < 0:
        return {"errcode": INVALID_PARAM, "errmsg": "invalid offset or count"}
    records = state.published_records()
    page = records[offset:offset + count]
    if body.get("no_content"):
        page = [{**r, "content": {**r["content"], "news_item": [
            {k: v for k, v in n.items() if k != "content"} for n in r["content"]["news_item"]]}} for r in page]
    return {"total_count": len(records), "item_count": len(page), "item": page}


def mp_freepublish_delete(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    with state.lock:
        article = state.articles.get(str(body.get("article_id", "")))
        if article is None or article["deleted"]:
            return {"errcode": 53601, "errmsg": "invalid article_id"}
        article["deleted"] = True
    return OK


def mp_mass_sendall(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    """群发 an mpnews (a draft's media_id) to every follower; 45028 once `state.mass_quota` is used up."""
    problem = _need(body, "msgtype", "filter")
    if problem:
        return problem
    media_id = (body.get("mpnews") or {}).get("media_id")
    if body["msgtype"] != "mpnews" or media_id not in state.drafts:
        return {"errcode": INVALID_MEDIA, "errmsg": "invalid media_id"}
    with state.lock:
        if state.mass_quota is not None and len(state.mass_jobs) >= state.mass_quota:
            return {"errcode": NO_MASS_QUOTA, "errmsg": "has no masssend quota"}
        msg_id = 3_000_000 + state.next_id()
        state.mass_jobs[str(msg_id)] = {"media_id": media_id, "statuses": list(state.mass_plan or ["SEND_SUCCESS"]),
                                        "deleted": False}
    return {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id,
            "msg_data_id": 2_000_000_000 + msg_id}


def mp_mass_get(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    msg_id = str(body.get("msg_id", ""))
    status = state.mass_status(msg_id)
    if status is None:
        return {"errcode": INVALID_MEDIA, "errmsg": "invalid msg_id"}
    return {"msg_id": int(msg_id), "msg_status": status}


def mp_mass_delete(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    with state.lock:
        job = state.mass_jobs.get(str(body.get("msg_id", "")))
        if job is None or job["deleted"]:
            return {"errcode": INVALID_MEDIA, "errmsg": "invalid msg_id"}
        job["deleted"] = True
    return OK


def mass_job_finish_event(state: EmulatorState, msg_id: str, *, to: str, status: str | None = None) -> str:
    """The inner XML of the MASSSENDJOBFINISH event WeChat posts to the account's callback URL."""
    with state.lock:
        job = state.mass_jobs[str(msg_id)]
        final = status or ("send success" if job["statuses"][-1] == "SEND_SUCCESS" else "send fail")
    url = mass_url(state.base_url, str(msg_id))
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>{msg_id}</MsgID>"
            f"<Status><![CDATA[{final}]]></Status><TotalCount>100</TotalCount><FilterCount>100</FilterCount>"
            f"<SentCount>100</SentCount><ErrorCount>0</ErrorCount><ArticleUrlResult><Count>1</Count>"
            f"<ResultList><item><ArticleIdx>1</ArticleIdx><ArticleUrl><![CDATA[{url}]]></ArticleUrl></item>"
            f"</ResultList></ArticleUrlResult></xml>")


Handler = Callable[[EmulatorState, dict, dict, dict], dict]
ROUTES: dict[tuple[str, str], Handler] = {
    ("wecom", "message/send"): wecom_send,
    ("wecom", "message/update_template_card"): wecom_update_card,
    ("mp", "message/template/send"): mp_template_send,
    ("mp", "message/custom/send"): mp_custom_send,
    ("mp", "media/uploadimg"): mp_uploadimg,
    ("mp", "material/add_material"): mp_add_material,
    ("mp", "draft/add"): mp_draft_add,
    ("mp", "freepublish/submit"): mp_freepublish_submit,
    ("mp", "freepublish/get"): mp_freepublish_get,
    ("mp", "freepublish/delete"): mp_freepublish_delete,
    ("mp", "freepublish/batchget"): mp_freepublish_batchget,
    ("mp", "message/mass/sendall"): mp_mass_sendall,
    ("mp", "message/mass/get"): mp_mass_get,
    ("mp", "message/mass/delete"): mp_mass_delete,
}
