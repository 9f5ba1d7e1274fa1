"""freepublish/get `publish_status` values and what they mean (微信公众平台 发布能力 documentation)."""

from __future__ import annotations

PUBLISH_STATUS = {
    0: "发布成功",
    1: "发布中",
    2: "原创失败",
    3: "常规失败",
    4: "平台审核不通过",
    5: "成功后用户删除所有文章",
    6: "成功后系统封禁所有文章",
}


def status_reason(status: int, fail_idx: list | None = None) -> str:
    text = PUBLISH_STATUS.get(status, f"未知状态 {status}")
    if fail_idx:
        text += f"（失败的文章序号：{'、'.join(str(i) for i in fail_idx)}）"
    return f"公众号发布失败：{text}"
