"""What people read instead of codes: audit actions, channel kinds, actors and WeChat error codes.

One table each, so the web pages, the CLI, the lobby screen and the channel adapters say the same
thing. tests/content/test_labels.py fails when the code writes an audit action or registers a
channel kind that has no label here.
"""

from __future__ import annotations

import re

from content.review.actions import ACTION_LABELS as TRANSITION_ACTION_LABELS

# ---------------------------------------------------------------------------- channels

CHANNEL_LABELS: dict[str, str] = {
    "portal": "门户网站",
    "mp": "微信公众号",
    "wecom_group": "企业微信群",
    "board": "公开栏",
}


def channel_label(code: str, target_name: str | None = None) -> str:
    """`portal` → 门户网站; `wecom_group:3` → 企业微信群（3）, or with the group's name when known."""
    kind, _, target = (code or "").partition(":")
    label = CHANNEL_LABELS.get(kind, kind)
    if target_name:
        return f"{label}（{target_name}）"
    return f"{label}（{target}）" if target else label


# ---------------------------------------------------------------------------- audit actions

# The review chain writes `item.<action>` for every action of its transition table.
_ITEM_ACTIONS = {f"item.{a}": label for a, label in TRANSITION_ACTION_LABELS.items()}
_ITEM_ACTIONS.update({"item.recall": "撤回为草稿", "item.void": "内容变更，退回重新审核"})

AUDIT_ACTION_LABELS: dict[str, str] = {
    **_ITEM_ACTIONS,
    "item.create": "新建稿件",
    "item.import": "导入历史稿件",
    "review.reminded": "催办审核",
    "publication.sent": "已发送到渠道",
    "publication.confirmed": "渠道确认发布",
    "publication.failed": "发布失败",
    "publication.retry": "重新发送",
    "publication.retry_scheduled": "发布暂时失败，等待重试",
    "publication.unknown": "发布结果未知，待核对",
    "publication.reconciled": "核对发布结果",
    "publication.withdrawn": "已从渠道撤下",
    "publication.confirmed_by_person": "人工确认已发布",
    "notice.create": "生成公开栏公告",
    "notice.withdraw": "公开栏公告待撤下",
    "notice.posted": "登记张贴",
    "notice.taken_down": "登记撤下",
    "robot.create": "添加群机器人",
    "robot.update": "修改群机器人",
    "robot.delete": "删除群机器人",
    "robot.invalid": "群机器人地址失效",
    "bot.binding_code": "生成微信绑定码",
    "bot.bind": "绑定微信",
    "bot.unbind": "解除微信绑定",
    "auth.web_login": "网页登录",
    "auth.token": "获取接口访问令牌",
    "auth.locked": "登录失败次数过多，账号锁定",
    "auth.unlocked": "解除锁定",
    "auth.logout": "退出登录",
    "org.create": "创建单位",
    "department.create": "新建部门",
    "user.create": "新建用户",
    "user.roles": "修改用户角色",
    "user.deputy": "指定代理人",
    "user.password_change": "修改密码",
    "user.password_changed": "修改密码",
    "user.password_reset": "管理员重置密码",
    "user.reset": "管理员重置密码",
    "user.unlock": "解除锁定",
    "user.deactivate": "停用账号",
    "user.activate": "启用账号",
    "user.reactivate": "重新启用账号",
    "category.create": "新建栏目",
    "wordrule.create": "新增敏感词规则",
    "wordrule.delete": "删除敏感词规则",
    "application.create": "登记依申请公开",
    "application.update": "修改依申请公开记录",
    "interaction.create": "登记政民互动",
    "interaction.update": "修改政民互动记录",
    "interaction.delete": "删除政民互动记录",
    "appeal.create": "登记复议诉讼",
    "appeal.update": "修改复议诉讼记录",
    "appeal.delete": "删除复议诉讼记录",
    "annual_figures.set": "填写年度报告表二数据",
    "report_text.set": "修改年度报告正文",
    "holidays.set": "录入节假日安排",
    "export.archive": "导出两馆报送包",
    "demo.seed": "生成演示数据",
}


def audit_action_label(action: str) -> str:
    """The Chinese name of an audit action; an unknown one keeps its code (the label test catches it)."""
    return AUDIT_ACTION_LABELS.get(action, action)


SYSTEM_ACTOR = "系统"


def actor_label(actor_label_text: str | None, name: str | None = None) -> str:
    """Who did it: the user's name when known, "系统" for the system (stored as `system`)."""
    if name:
        return name
    if not actor_label_text or actor_label_text in ("system", "scheduler"):
        return SYSTEM_ACTOR
    return actor_label_text


# ---------------------------------------------------------------------------- WeChat error codes

# The codes gongkai can meet on the official account, WeCom and group-robot interfaces.
WECHAT_ERRORS: dict[int, str] = {
    -1: "微信系统繁忙，请稍后再试",
    40001: "access_token 无效或 AppSecret 错误，请核对公众号/企业微信的 AppSecret",
    40003: "接收人 OpenID 无效（可能未关注公众号）",
    40007: "素材（media_id）无效或已过期，请重新上传图片或封面",
    40013: "AppID 无效，请核对配置",
    40014: "access_token 无效，系统将自动刷新后重试",
    40037: "模板消息的模板 ID 无效，请核对配置",
    40164: "服务器 IP 不在公众号的 IP 白名单中",
    41001: "缺少 access_token",
    42001: "access_token 已过期，系统将自动刷新后重试",
    43004: "接收人未关注公众号",
    44002: "提交内容为空",
    45002: "消息内容超过长度限制",
    45009: "接口调用次数已达今日上限，明日自动恢复",
    45028: "本月群发次数已用完",
    45047: "发送消息过于频繁",
    48001: "公众号没有该接口的权限（未认证或未开通）",
    53500: "发布功能已被封禁",
    53501: "发布请求过于频繁，请稍后重试",
    53502: "发布任务 ID 无效",
    53503: "该草稿未通过发布检查，请检查正文与图片",
    53504: "需要在公众平台官网发布此草稿",
    53505: "请先在公众平台手动保存草稿后再发表",
    60011: "企业微信应用无权限访问该成员",
    60020: "服务器 IP 不在企业微信应用的可信 IP 中",
    61004: "服务器 IP 未在公众平台登记为白名单",
    81013: "企业微信接收人无效（成员、部门、标签均无效）",
    93000: "群机器人地址无效（Webhook key 错误或机器人已被移出群聊）",
}


def wechat_error_text(errcode: int | str | None) -> str:
    """A Chinese explanation of a WeChat errcode; unknown codes say which code it was."""
    try:
        code = int(errcode)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"微信接口错误（代码 {errcode}）"
    text = WECHAT_ERRORS.get(code)
    return f"{text}（代码 {code}）" if text else f"微信接口错误（代码 {code}）"


# "40007 invalid media_id hint: [xyz]" as stored in last_error by the channels and the notifier:
# a WeChat errcode followed by WeChat's English message (up to a Chinese character or the end).
_RAW_WECHAT = re.compile(r"(?<![A-Za-z0-9_.（(])(-1|[4-9]\d{4})(?![\d.])(?:[ :：]+[A-Za-z][\x20-\x7e]*)?")


def explain_error(text: str | None) -> str:
    """An error as stored (often with WeChat's English message), told in Chinese for people."""
    if not text:
        return ""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1))
        if code not in WECHAT_ERRORS and not m.group(0)[len(m.group(1)):].strip():
            return m.group(0)  # a bare number that is not a known code: leave it
        return wechat_error_text(code)

    return _RAW_WECHAT.sub(repl, text).rstrip()


# ---------------------------------------------------------------------------- people

def name_with_roles(name: str, role_labels: list[str]) -> str:
    """"张伟（拟稿人）"; a role the name already states ("周敏（政务公开专员）") is not said twice."""
    extra = [label for label in dict.fromkeys(role_labels) if label and label not in name]
    return f"{name}（{'、'.join(extra)}）" if extra else name
