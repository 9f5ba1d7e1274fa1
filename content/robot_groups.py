"""Group-robot targets as the core sees them: which robots an item's channel list names, their names, and
which chosen ones are missing (read by the store's checks and the outbox's labels; the robots' admin rules and
sending live in channels.wecom_group)."""

from __future__ import annotations

from sqlmodel import Session, select

from content.models.channel_targets import RobotGroup
from content.models.item_channel import group_ids


def channel_targets(channels: list[str]) -> list[int]:
    """Robot ids chosen by an item's channel list entries `wecom_group:<id>`."""
    return group_ids(channels)


def robot_names(session: Session, *, org_id: int) -> dict[int, str]:
    """id → name of every robot, deleted ones included (for channel labels like `wecom_group:5`)."""
    rows = session.exec(select(RobotGroup.id, RobotGroup.name).where(RobotGroup.org_id == org_id)).all()
    return {robot_id: name for robot_id, name in rows if robot_id is not None}


def check_item_groups(session: Session, *, org_id: int, channels: list[str]) -> list[str]:
    """Names-or-ids of chosen groups that are missing or deleted (for the store's checks)."""
    missing = []
    for robot_id in channel_targets(channels):
        robot = session.get(RobotGroup, robot_id)
        if robot is None or robot.org_id != org_id or not robot.active:
            missing.append(robot.name if robot else f"#{robot_id}")
    return missing
