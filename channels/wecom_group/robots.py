"""Managing WeCom group robots (群机器人): one named webhook per group, e.g. per village grid group.

A webhook URL holds the robot's key, which is all anyone needs to post into the group, so it is
treated as a secret: it is never written to the audit log or an error message, and pages show it
masked (`mask_url`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session, select

from content import audit
from content.errors import Conflict, Invalid, NotFound
from content.models import User
from content.models.channel_targets import RobotGroup, RobotStatus
from content.robot_groups import channel_targets, check_item_groups, robot_names  # noqa: F401 - re-exported
from content.timeutil import utcnow

WECOM_HOST = "qyapi.weixin.qq.com"
WEBHOOK_PATH = "/cgi-bin/webhook/send"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# WeCom robot keys are UUIDs (8-4-4-4-12 hex digits).
KEY_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MSG_TYPES = {"news": "图文消息", "markdown": "Markdown 消息"}


def webhook_key(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("key") or []
    return values[0] if len(values) == 1 else None


def validate_webhook_url(url: str, *, allow_sandbox: bool = False) -> str:
    """The normalized URL, or Invalid. In sandbox mode the local emulator's URL is accepted too."""
    url = (url or "").strip()
    bad = Invalid(
        "robot_url_invalid",
        "不是企业微信群机器人地址：应为 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…（群聊→添加群机器人→复制 Webhook 地址）",
    )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad from None
    key = webhook_key(url)
    if key is None or not KEY_RE.match(key) or parts.fragment or parts.username or parts.password:
        raise bad
    real = parts.scheme == "https" and parts.hostname == WECOM_HOST and port in (None, 443)
    real = real and parts.path == WEBHOOK_PATH
    sandbox = (
        allow_sandbox
        and parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and parts.path.endswith(WEBHOOK_PATH)
    )
    if not (real or sandbox):
        raise bad
    return url


def mask_url(url: str) -> str:
    """The URL with all but the last 4 characters of the key hidden."""
    key = webhook_key(url) or ""
    return url.replace(key, "****" + key[-4:]) if key else url


def list_robots(session: Session, *, org_id: int, include_deleted: bool = False) -> list[RobotGroup]:
    query = select(RobotGroup).where(RobotGroup.org_id == org_id)
    if not include_deleted:
        query = query.where(RobotGroup.active == True)  # noqa: E712
    return list(session.exec(query.order_by(RobotGroup.name)))


def get_robot(session: Session, *, org_id: int, robot_id: int) -> RobotGroup:
    robot = session.get(RobotGroup, robot_id)
    if robot is None or robot.org_id != org_id:
        raise NotFound("robot_not_found", "该群机器人不存在")
    return robot


def _check_fields(name: str, msg_type: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("robot_name_invalid", "请填写群名称（不超过100字）")
    if msg_type not in MSG_TYPES:
        raise Invalid("robot_msg_type_invalid", "消息类型只能是图文消息或 Markdown 消息")
    return name


def _check_unique(session: Session, org_id: int, name: str, robot_id: int | None = None) -> None:
    other = session.exec(select(RobotGroup).where(RobotGroup.org_id == org_id, RobotGroup.name == name)).first()
    if other is not None and other.id != robot_id:
        raise Conflict("robot_name_taken", f"已有名为“{name}”的群")


def create_robot(
    session: Session, *, actor: User, name: str, webhook_url: str, msg_type: str = "news",
    allow_sandbox: bool = False,
) -> RobotGroup:  # fmt: skip
    name = _check_fields(name, msg_type)
    url = validate_webhook_url(webhook_url, allow_sandbox=allow_sandbox)
    _check_unique(session, actor.org_id, name)
    robot = RobotGroup(org_id=actor.org_id, name=name, webhook_url=url, msg_type=msg_type)
    session.add(robot)
    session.flush()
    audit.record(session, org_id=actor.org_id, action="robot.create", target_type="robot_group",
                 target_id=robot.id, actor=actor, name=name, msg_type=msg_type)
    return robot


def update_robot(
    session: Session, *, actor: User, robot_id: int, name: str, msg_type: str,
    webhook_url: str | None = None, allow_sandbox: bool = False,
) -> RobotGroup:  # fmt: skip
    """Rename, change the message type, or replace the webhook (a new key clears an invalid status)."""
    robot = get_robot(session, org_id=actor.org_id, robot_id=robot_id)
    name = _check_fields(name, msg_type)
    _check_unique(session, actor.org_id, name, robot.id)
    changed = {}
    if webhook_url:
        url = validate_webhook_url(webhook_url, allow_sandbox=allow_sandbox)
        if url != robot.webhook_url:
            robot.webhook_url = url
            robot.status, robot.last_error, robot.last_error_at = RobotStatus.ok, None, None
            changed["webhook"] = "replaced"
    if name != robot.name:
        changed["name"] = name
    if msg_type != robot.msg_type:
        changed["msg_type"] = msg_type
    robot.name, robot.msg_type, robot.updated_at = name, msg_type, utcnow()
    session.add(robot)
    audit.record(session, org_id=actor.org_id, action="robot.update", target_type="robot_group",
                 target_id=robot.id, actor=actor, **changed)
    return robot


def delete_robot(session: Session, *, actor: User, robot_id: int) -> RobotGroup:
    """Soft delete: history and tallies keep the row; posts still queued for it report the group missing."""
    robot = get_robot(session, org_id=actor.org_id, robot_id=robot_id)
    robot.active, robot.updated_at = False, utcnow()
    session.add(robot)
    audit.record(session, org_id=actor.org_id, action="robot.delete", target_type="robot_group",
                 target_id=robot.id, actor=actor, name=robot.name)
    return robot


def mark_invalid(session: Session, robot: RobotGroup, error: str) -> None:
    """WeCom refused the key (revoked, robot removed): the admin must replace the webhook."""
    robot.status, robot.last_error, robot.last_error_at = RobotStatus.invalid, error, utcnow()
    session.add(robot)
    audit.record(session, org_id=robot.org_id, action="robot.invalid", target_type="robot_group",
                 target_id=robot.id, error=error)
