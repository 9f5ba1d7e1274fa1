"""The endpoints wechatpy 1.8.18 lacks, over the client's generic `post()`.

All functions raise `wechatpy.exceptions.WeChatClientException` (errcode, errmsg) on an API error;
`APILimitedException` (a subclass) for 45009. Token errors were already retried once by the client.

Official account publishing (used by the scheduler):
    url = upload_image(mp, "a.png", data)                 # media/uploadimg → URL for <img> in content
    media_id, url = add_thumb(mp, "cover.jpg", data)      # material/add_material?type=thumb
    media_id = draft_add(mp, [article_dict])              # draft/add → draft media_id
    publish_id = freepublish_submit(mp, media_id)         # freepublish/submit
    status = freepublish_get(mp, publish_id)              # dict: publish_status 0 ok, 1 busy, 2–6 failed,
                                                          #       article_id, article_detail.item[].article_url
    freepublish_delete(mp, article_id, index=0)           # 0 = every article of the job
    records = freepublish_batchget(mp, offset=0, count=20)  # publish records, newest first: total_count,
                                                          #       item[].article_id, .content.news_item[]
"""

from __future__ import annotations

from typing import Any

from bot.wechat.clients import MpClient, WeComClient


# ---- WeCom ----------------------------------------------------------------------------------------
def send_text(client: WeComClient, *, touser: str, content: str) -> dict:
    return client.post("message/send", data={
        "touser": touser, "msgtype": "text", "agentid": _agent(client), "text": {"content": content},
    })


def send_template_card(client: WeComClient, *, touser: str, card: dict[str, Any]) -> dict:
    """message/send with msgtype template_card; the answer carries `response_code` for later updates."""
    return client.post("message/send", data={
        "touser": touser, "msgtype": "template_card", "agentid": _agent(client), "template_card": card,
    })


def update_template_card(client: WeComClient, *, userids: list[str], response_code: str,
                         replace_name: str) -> dict:
    """Turn the buttons of a button_interaction card into one disabled button showing the decision."""
    return client.post("message/update_template_card", data={
        "userids": userids, "agentid": _agent(client), "response_code": response_code,
        "button": {"replace_name": replace_name},
    })


def _agent(client: WeComClient) -> int | str:
    return int(client.agent_id) if str(client.agent_id).isdigit() else client.agent_id


# ---- Official account -----------------------------------------------------------------------------
def send_template_message(client: MpClient, *, touser: str, template_id: str, data: dict,
                          url: str | None = None) -> dict:
    body: dict[str, Any] = {"touser": touser, "template_id": template_id, "data": data}
    if url:
        body["url"] = url
    return client.post("message/template/send", data=body)


def upload_image(client: MpClient, filename: str, content: bytes) -> str:
    return client.post("media/uploadimg", files={"media": (filename, content)})["url"]


def add_thumb(client: MpClient, filename: str, content: bytes) -> tuple[str, str]:
    result = client.post("material/add_material", params={"type": "thumb"},
                         files={"media": (filename, content)})
    return result["media_id"], result.get("url", "")


def draft_add(client: MpClient, articles: list[dict]) -> str:
    return client.post("draft/add", data={"articles": articles})["media_id"]


def freepublish_submit(client: MpClient, media_id: str) -> str:
    return str(client.post("freepublish/submit", data={"media_id": media_id})["publish_id"])


def freepublish_get(client: MpClient, publish_id: str) -> dict:
    return client.post("freepublish/get", data={"publish_id": publish_id})


def freepublish_batchget(client: MpClient, *, offset: int = 0, count: int = 20, no_content: bool = True) -> dict:
    return client.post("freepublish/batchget", data={"offset": offset, "count": count,
                                                     "no_content": 1 if no_content else 0})


def freepublish_delete(client: MpClient, article_id: str, index: int = 0) -> dict:
    return client.post("freepublish/delete", data={"article_id": article_id, "index": index})
