"""Loopback emulator of the WeChat official-account API and the WeCom API subset gongkai calls.

Python API (tests, the scheduler's official-account channel, the demo)::

    from sandbox import WeChatEmulator
    emu = WeChatEmulator().start()          # uvicorn on 127.0.0.1:<free port>, background thread
    emu.mp_base, emu.wecom_base             # give these to Settings(mp_api_base=…, wecom_api_base=…)
    emu.records(api="mp", endpoint="draft/add")   # list[Record]; .json / .query / .files / .response
    emu.fail("freepublish/submit", 45009)   # next call answers errcode 45009 (times=, api= optional)
    emu.fail("message/send", 40001, api="wecom")  # 40001 once: the client refreshes its token and retries
    emu.expire_tokens()                      # every issued token now answers 42001
    emu.state.publish_plan = [1, 4]          # new jobs: freepublish/get says 1 (publishing), then 4 (failed)
    emu.state.mass_plan = ["SENDING", "SEND_SUCCESS"]  # message/mass/get statuses of new mass jobs
    emu.state.mass_quota = 1                 # sendall answers 45028 after one mass send
    emu.mass_job_finish(msg_id)              # inner XML of the MASSSENDJOBFINISH event for that job
    emu.state.drafts / .jobs / .articles / .materials / .cards   # what was created
    emu.reset(); emu.stop()                  # or: with WeChatEmulator() as emu: …

Endpoints (base `<url>/mp/cgi-bin/` or `<url>/wecom/cgi-bin/`): mp `token`, `message/template/send`,
`message/custom/send`, `media/uploadimg`, `material/add_material`, `draft/add`, `freepublish/submit`,
`freepublish/get`, `freepublish/batchget`, `freepublish/delete`, `message/mass/sendall`, `message/mass/get`,
`message/mass/delete`; wecom `gettoken`, `message/send`, `message/update_template_card`.
Every call needs a token the emulator issued (else 40014; after `expire_tokens()` 42001).

Published articles are served at `GET <url>/s/<article id>` (mass sends `/s/mass-<msg_id>`): the stored
article with its images, the address `freepublish/get` and the publish records give (sandbox/articles.py).

Over HTTP: `GET <url>/_emulator/records?api=&endpoint=` (JSON list), `POST <url>/_emulator/reset`,
`POST <url>/_emulator/fail` with `{"endpoint", "errcode", "times", "api"}`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import articles, handlers
from sandbox.server import LoopbackServer
from sandbox.state import EmulatorState, Record

TOKEN_ENDPOINTS = {("mp", "token"), ("wecom", "gettoken")}


class WeChatEmulator:
    def __init__(self) -> None:
        self.state = EmulatorState()
        self.app = _build_app(self.state)
        self._server = LoopbackServer(self.app)
        self.url = ""

    def start(self) -> WeChatEmulator:
        self._server.start()
        self.url = self._server.url
        self.state.base_url = self.url  # article links point here (sandbox/articles.py)
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> WeChatEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def mp_base(self) -> str:
        return f"{self.url}/mp"

    @property
    def wecom_base(self) -> str:
        return f"{self.url}/wecom"

    def records(self, *, api: str | None = None, endpoint: str | None = None,
                include_tokens: bool = False) -> list[Record]:
        with self.state.lock:
            return [r for r in self.state.records
                    if (api is None or r.api == api) and (endpoint is None or r.endpoint == endpoint)
                    and (include_tokens or (r.api, r.endpoint) not in TOKEN_ENDPOINTS)]

    def fail(self, endpoint: str, errcode: int, *, times: int = 1, api: str | None = None,
             errmsg: str | None = None) -> None:
        self.state.add_fault(endpoint, errcode, times=times, api=api, errmsg=errmsg)

    def expire_tokens(self) -> None:
        self.state.expire_tokens()

    def reset(self) -> None:
        self.state.reset()

    def mass_job_finish(self, msg_id: str, *, to: str = "gh_gongkai_sandbox", status: str | None = None) -> str:
        """The MASSSENDJOBFINISH event (inner XML) WeChat would post for a mass job; seal it with the
        CallbackClient to deliver it to /wechat/mp."""
        return handlers.mass_job_finish_event(self.state, msg_id, to=to, status=status)


def _build_app(state: EmulatorState) -> Starlette:
    async def api_call(request: Request) -> Response:
        api = request.path_params["api"]
        endpoint = request.path_params["endpoint"].strip("/")
        query = dict(request.query_params)
        payload, files = await _read_body(request)
        response = _answer(state, api, endpoint, query, payload, files)
        for meta in files.values():
            meta.pop("data", None)  # records keep file names and sizes, not the bytes
        safe_query = {k: ("***" if k in {"secret", "corpsecret"} else v) for k, v in query.items()}
        with state.lock:
            state.records.append(Record(api, endpoint, request.method, safe_query, payload, files, response))
        return JSONResponse(response)

    async def image(request: Request) -> Response:
        data = state.images.get(request.path_params["name"])
        return Response(data, media_type="image/jpeg") if data is not None else Response(status_code=404)

    async def records(request: Request) -> Response:
        api, endpoint = request.query_params.get("api"), request.query_params.get("endpoint")
        with state.lock:
            out = [r.as_dict() for r in state.records
                   if (not api or r.api == api) and (not endpoint or r.endpoint == endpoint)]
        return JSONResponse(out)

    async def reset(_request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    async def fail(request: Request) -> Response:
        body = await request.json()
        state.add_fault(str(body["endpoint"]), int(body["errcode"]), times=int(body.get("times", 1)),
                        api=body.get("api"))
        return JSONResponse({"ok": True})

    return Starlette(routes=[
        Route("/_emulator/records", records, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/fail", fail, methods=["POST"]),
        Route("/img/{name}", image, methods=["GET"]),
        Route("/s/{key}", articles.article_page(state), methods=["GET"]),
        Route("/{api:str}/cgi-bin/{endpoint:path}", api_call, methods=["GET", "POST"]),
    ])


async def _read_body(request: Request) -> tuple[Any, dict[str, dict]]:
    if request.method != "POST":
        return None, {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        files: dict[str, dict] = {}
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if hasattr(value, "read"):
                data = await value.read()
                files[key] = {"filename": value.filename, "size": len(data),
                              "content_type": value.content_type, "data": data}
            else:
                fields[key] = value
        return (fields or None), files
    raw = await request.body()
    if not raw:
        return None, {}
    try:
        return json.loads(raw.decode("utf-8")), {}
    except (UnicodeDecodeError, ValueError):
        return {"_raw": raw.decode("utf-8", "replace")}, {}


def _answer(state: EmulatorState, api: str, endpoint: str, query: dict, payload: Any,
            files: dict[str, dict]) -> dict:
    if (api, endpoint) in TOKEN_ENDPOINTS:
        return handlers.token(state, api, query)
    handler = handlers.ROUTES.get((api, endpoint))
    if handler is None:
        return {"errcode": 48001, "errmsg": f"api unauthorized (sandbox has no {api} {endpoint})"}
    fault = state.take_fault(api, endpoint)
    if fault is not None:
        return {"errcode": fault.errcode, "errmsg": fault.errmsg}
    problem = state.check_token(api, query.get("access_token"))
    if problem:
        return {"errcode": problem, "errmsg": "access_token expired" if problem == 42001
                else "invalid credential, access_token is invalid or not latest"}
    return handler(state, query, payload if isinstance(payload, dict) else {}, files)
