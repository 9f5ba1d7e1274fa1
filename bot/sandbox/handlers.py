"""Per-endpoint behaviour of the emulator. Each handler gets (state, query, json_body, files)."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.state import (
    DIGEST_TOO_LONG,
    INVALID_MEDIA,
    MISSING_PARAM,
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
    return {"url": f"http://mmbiz.qpic.cn/sandbox/{stored[0]}"}


def mp_add_material(state: EmulatorState, query: dict, _b: dict, files: dict) -> dict:
    stored = _store_image(state, files)
    if stored is None:
        return {"errcode": MISSING_PARAM, "errmsg": "missing media"}
    kind = query.get("type", "image")
    media_id = f"{kind}-{state.next_id()}"
    url = f"http://mmbiz.qpic.cn/sandbox/{stored[0]}"
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


def mp_freepublish_delete(state: EmulatorState, _q: dict, body: dict, _f: dict) -> dict:
    with state.lock:
        article = state.articles.get(str(body.get("article_id", "")))
        if article is None or article["deleted"]:
            return {"errcode": 53601, "errmsg": "invalid article_id"}
        article["deleted"] = True
    return OK


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
}
