"""The demo town 示例镇: departments, one user per role, items in every state, a few register rows.

Everything goes through the real store and review chain (`content.store`, `content.review.chain`), so
the audit log, revisions, reviews, notifications and the outbox are what real use would produce.
Only the remote side of publishing is played here (the sandbox "portal" confirms at once), so that
published, withdrawn and archived items exist before the scheduler has ever run; the approved and
emergency items are left pending for the in-process scheduler of `gongkai run` to publish.

Idempotent: a second run finds the demo marker in the audit log and only reports the logins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from content import accounts, audit
from content.files import FileContext, context_from_settings
from content.models import AuditEvent, Item, Organization, Publication, User
from content.timeutil import local, utcnow

DEMO_PASSWORD = "shifan-2025"  # printed on every demo run; never use --demo on a real installation
DEMO_MARKER = "demo.seed"

DEPARTMENTS = ["党政综合办公室", "社会事务办公室", "经济发展办公室", "规划建设办公室"]
# login, name, role, department, oversees
USERS = [
    ("zhuanyuan", "周敏（政务公开专员）", "admin", "党政综合办公室", None),
    ("zhangwei", "张伟", "drafter", "党政综合办公室", None),
    ("lina", "李娜", "drafter", "社会事务办公室", None),
    ("wangqiang", "王强", "dept_head", "党政综合办公室", None),
    ("liuyang", "刘洋", "dept_head", "社会事务办公室", None),
    ("chenjing", "陈静", "leader", None, ["党政综合办公室", "经济发展办公室"]),
    ("sunhao", "孙浩", "leader", None, ["社会事务办公室", "规划建设办公室"]),
    ("zhaolei", "赵磊", "principal", None, None),
]
ROLE_NAMES = {"admin": "政务公开专员（管理员）", "drafter": "拟稿人", "dept_head": "供稿部门负责人",
              "leader": "分管领导", "principal": "镇主要领导"}  # fmt: skip


def _cover_png() -> str:
    """A tiny solid-colour PNG as a data URI (stored on create, like an API client's upload): official-account
    articles need a cover image."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width = height = 8
    raw = b"".join(b"\x00" + b"\xc0\x30\x30" * width for _ in range(height))  # 政务红
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


COVER = _cover_png()


def _body(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _post(title: str, topic: str, area: str, *paragraphs: str, **extra) -> dict:
    data = {"title": title, "digest": paragraphs[0][:100], "author": "示例镇人民政府", "body_html": _body(*paragraphs),
            "topic": topic, "area": area, "channels": ["portal", "mp"], "origin": "original",
            "disclosure_type": "proactive", "has_full_text": True, "cover_image": COVER}  # fmt: skip
    data.update(extra)
    return data


@dataclass
class DemoSummary:
    created: bool
    org_name: str
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (login, name, role label)
    states: dict[str, int] = field(default_factory=dict)
    password: str = DEMO_PASSWORD


class _Demo:
    def __init__(self, session: Session, org: Organization) -> None:
        self.s, self.org = session, org
        self.users: dict[str, User] = {}

    def people(self) -> None:
        for name in DEPARTMENTS:
            accounts.create_department(self.s, org_id=self.org.id, name=name)
        for login, name, role, dept, oversees in USERS:
            self.users[login] = accounts.create_user(
                self.s, org_id=self.org.id, login=login, name=name, password=DEMO_PASSWORD, roles=role,
                department=dept, oversees=oversees)

    def act(self, item: Item, login: str, action: str, **kwargs) -> Item:
        from content.review.chain import apply_action

        return apply_action(self.s, item_id=item.id, actor=self.users[login], action=action, **kwargs)

    def new(self, login: str, data: dict) -> Item:
        from content.store import create_item

        return create_item(self.s, actor=self.users[login], data=data)

    def through(self, item: Item, *gates: str) -> Item:
        """Submit and approve at each named reviewer in order."""
        self.act(item, self.drafter_of(item), "submit")
        for login in gates:
            self.act(item, login, "approve", comment="同意。")
        return item

    def drafter_of(self, item: Item) -> str:
        return next(login for login, u in self.users.items() if u.id == item.drafter_id)

    def confirm_remote(self, item: Item) -> None:
        """Play the sandbox channels: every pending publication is sent and confirmed at once."""
        from content.review.chain import mark_published

        now = utcnow()
        rows = self.s.exec(select(Publication).where(Publication.item_id == item.id,
                                                     Publication.state == "pending")).all()
        for row in rows:
            row.state, row.sent_at, row.confirmed_at, row.updated_at = "confirmed", now, now, now
            row.remote_id = f"demo-{row.channel}-{row.id}"
            row.remote_url = f"/sandbox/{row.channel}/{row.id}"
            row.attempts = 1
            audit.record(self.s, org_id=self.org.id, action="publication.confirmed", target_type="publication",
                         target_id=row.id, actor_label="演示数据", channel=row.channel, demo=True)
        mark_published(self.s, item_id=item.id)

    def finish_withdrawal(self, item: Item) -> None:
        rows = self.s.exec(select(Publication).where(Publication.item_id == item.id,
                                                     Publication.state == "withdraw_pending")).all()
        for row in rows:
            row.state, row.updated_at = "withdrawn", utcnow()
            audit.record(self.s, org_id=self.org.id, action="publication.withdrawn", target_type="publication",
                         target_id=row.id, actor_label="演示数据", channel=row.channel, demo=True)

    def items(self) -> None:
        soon = utcnow() + timedelta(days=2)
        # draft
        self.new("zhangwei", _post("关于做好今冬明春森林防火工作的通知", "其他", "安全生产",
                                   "各村（社区）、镇属各单位：当前已进入森林防火紧要期，现就有关工作通知如下。",
                                   "一、落实防火责任；二、加强野外用火管理；三、做好应急值守。"))
        # in review at the department head (with a wording warning: 拆迁 → 征收)
        self.through(self.new("zhangwei", _post(
            "示例镇老旧小区改造项目征求意见公告", "国土资源城乡建设环保能源", "城乡规划",
            "为改善居住条件，镇政府拟对镇区三个老旧小区实施改造，现公开征求意见。",
            "改造不涉及拆迁，意见请于公告发布之日起十五日内反馈至规划建设办公室。")))
        # in review at the leader
        self.through(self.new("lina", _post(
            "关于城乡居民医疗保险集中参保缴费的公告", "民政扶贫救灾社会保障就业", "社会保险",
            "下一年度城乡居民基本医疗保险集中参保缴费工作已经开始，请广大居民按时参保。",
            "缴费可通过微信、银行网点或村（社区）便民服务站办理。")), "liuyang")
        # in review at the principal: sensitive
        sensitive = self.new("zhangwei", _post(
            "关于镇区道路拓宽工程征地补偿安置方案的公示", "重大建设项目", "征地补偿",
            "根据有关规定，现将镇区道路拓宽工程征地补偿安置方案予以公示。",
            "公示期间如有异议，请向镇党政综合办公室书面反映。", sensitive=True))
        self.through(sensitive, "wangqiang", "chenjing")
        # rejected, with the reason the drafter sees
        rejected = self.through(self.new("lina", _post(
            "镇敬老院改造项目进展情况", "民政扶贫救灾社会保障就业", "养老服务",
            "镇敬老院改造项目已完成主体工程。")))
        self.act(rejected, "liuyang", "reject", reason="请补充项目投资金额和预计完工时间后再提交。")
        # approved, due now: the scheduler of `gongkai run` publishes it to the sandbox
        self.through(self.new("lina", _post(
            "关于招聘公益性岗位人员的公告", "民政扶贫救灾社会保障就业", "就业",
            "为做好就业困难人员托底安置，镇政府拟招聘公益性岗位人员10名。",
            "报名时间为公告发布之日起七个工作日，报名地点为镇社会事务办公室。")), "liuyang", "sunhao")
        # scheduled for later
        self.through(self.new("zhangwei", _post(
            "第四季度安全生产大检查工作安排", "其他", "安全生产",
            "为防范化解重大安全风险，镇安委会定于第四季度开展安全生产大检查。", publish_at=soon)),
            "wangqiang", "chenjing")
        # emergency publication by the principal (listed as 未完成审核)
        emergency = self.through(self.new("zhangwei", _post(
            "关于做好强降雨天气防范工作的紧急通知", "其他", "救灾",
            "据气象部门预报，未来24小时我镇将出现强降雨天气，请各村（社区）立即做好防范工作。")))
        self.act(emergency, "zhaolei", "emergency_publish", reason="暴雨预警，需立即发布，事后补办审核。")
        # published
        for title, topic, area, text in [
            ("示例镇召开政务公开工作推进会", "其他", "公共文化服务", "镇政府召开政务公开工作推进会，部署全年重点任务。"),
            ("上半年重大建设项目进展情况", "重大建设项目", "重大建设项目", "上半年全镇重大建设项目完成投资进度过半。"),
        ]:
            item = self.through(self.new("zhangwei", _post(title, topic, area, text)), "wangqiang", "chenjing")
            self.confirm_remote(item)
        # withdrawn after publishing
        withdrawn = self.through(self.new("zhangwei", _post(
            "关于镇区部分路段临时交通管制的通告", "其他", "市政服务", "因管网施工，镇区部分路段实行临时交通管制。")),
            "wangqiang", "chenjing")
        self.confirm_remote(withdrawn)
        self.act(withdrawn, "chenjing", "withdraw", reason="施工提前结束，交通管制解除。")
        self.finish_withdrawal(withdrawn)
        # archived
        archived = self.through(self.new("lina", _post(
            "去年政府信息公开工作年度报告", "其他", "公共文化服务", "根据《中华人民共和国政府信息公开条例》规定，现公布年度报告。")),
            "liuyang", "sunhao")
        self.confirm_remote(archived)
        self.act(archived, "zhuanyuan", "archive")

    def registers(self) -> None:
        """A few applications and interactions, when the registers package is installed."""
        try:
            from annual.registers.applications import create_application
            from annual.registers.store import create_interaction
        except ImportError:
            return
        today = local(utcnow()).date()
        start = max(date(today.year, 1, 6), today - timedelta(days=120))
        admin = self.users["zhuanyuan"]
        for i, (kind, title, participants, suggestions) in enumerate([
            ("survey", "镇区停车设施建设网上调查问卷", 326, 41),
            ("solicitation", "美丽乡村建设规划民意征集", 188, 27),
            ("interview", "镇长在线访谈：聚焦养老服务", 95, 12),
        ]):
            first = start + timedelta(days=20 * i)
            create_interaction(self.s, org_id=self.org.id, actor=admin, data={
                "kind": kind, "title": title, "starts_on": first.isoformat(),
                "ends_on": (first + timedelta(days=14)).isoformat(), "participants": participants,
                "suggestions": suggestions})
        applications = [
            ("natural", "in_person", "申请公开本村土地承包经营权确权登记结果", 0, "public"),
            ("commercial", "online", "申请公开镇区道路拓宽工程招标文件", 10, "partial"),
            ("natural", "post", "申请公开本人房屋所在地块征收补偿标准", 25, None),
        ]
        for n, (applicant, channel, request, replied_after, result) in enumerate(applications, start=1):
            received = start + timedelta(days=15 * n)
            data = {"number": f"SFZ-{received.year}-{n:03d}", "channel": channel, "received_on": received.isoformat(),
                    "applicant_type": applicant, "applicant_name": "（演示申请人）", "request": request,
                    "handler_id": admin.id}  # fmt: skip
            if result:
                data["replied_on"] = min(today, received + timedelta(days=replied_after)).isoformat()
                data["result"] = result
                if result == "partial":
                    data["withheld_reasons"] = ["deny_third_party"]
            create_application(self.s, org_id=self.org.id, actor=admin, data=data)


def is_seeded(session: Session, org_id: int) -> bool:
    return session.exec(select(AuditEvent.id).where(AuditEvent.org_id == org_id,
                                                    AuditEvent.action == DEMO_MARKER)).first() is not None


def state_counts(session: Session, org_id: int) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.exec(select(Item.state, func.count()).where(Item.org_id == org_id).group_by(Item.state)).all()
    return dict(rows)


def seed_demo(session: Session, org: Organization, files: FileContext) -> DemoSummary:
    """Seed the demo into `org` (once); the caller commits.

    The cover image goes into the file store (`files`) like an upload would, so demo items name it by
    `/files/<sha256>` and every channel and page serves it from the store."""
    session.info["files"] = files  # content.files.refs: data: URIs in item input are stored
    summary = DemoSummary(created=False, org_name=org.name)
    if not is_seeded(session, org.id):
        if session.exec(select(Item.id).where(Item.org_id == org.id)).first() is not None:
            from content.errors import Conflict

            raise Conflict("demo_on_real_data", "该数据库已有稿件，拒绝写入演示数据（--demo 只用于空的演示库）")
        demo = _Demo(session, org)
        demo.people()
        demo.items()
        demo.registers()
        audit.record(session, org_id=org.id, action=DEMO_MARKER, target_type="organization", target_id=org.id,
                     actor_label="演示数据")
        summary.created = True
    logins = {u.login for u in session.exec(select(User).where(User.org_id == org.id)).all()}
    summary.logins = [(login, name, ROLE_NAMES[role]) for login, name, role, _, _ in USERS if login in logins]
    summary.states = state_counts(session, org.id)
    return summary


def describe(summary: DemoSummary, public_url: str) -> list[str]:
    """The lines `gongkai init --demo` prints: what was seeded, where to go, who to log in as."""
    from content.models.item import STATE_LABELS

    base = public_url.rstrip("/")
    lines = [f"演示数据{'已写入' if summary.created else '已存在，直接复用'}：{summary.org_name}（示例镇）",
             "稿件状态：" + "，".join(f"{STATE_LABELS.get(k, k)} {v}" for k, v in sorted(summary.states.items())),
             "", "打开：",
             f"  工作台（网页）     {base}/",
             f"  接口文档（API）    {base}/api/docs",
             f"  聊天模拟器（沙箱） {base}/sandbox/chat",
             f"  健康检查           {base}/readyz    指标 {base}/metrics",
             "", f"演示账号（密码均为 {summary.password}）："]
    lines += [f"  {login:<10} {name:<14} {role}" for login, name, role in summary.logins]
    return lines


def init_demo(engine, *, org_code: str, public_url: str, files: FileContext | None = None) -> list[str]:
    """What `gongkai init --demo` does after the normal init: seed once, then describe.

    `files`: the file store the app will serve from; by default the one the settings name for this
    database (GONGKAI_FILES_DIR or S3, else `files` beside a SQLite database)."""
    if files is None:
        files = demo_files(engine)
    with Session(engine, expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.code == org_code)).one()
        summary = seed_demo(session, org, files)
        if summary.created:
            _demo_robot(session, org, public_url)
        session.commit()
    return describe(summary, public_url)


def demo_files(engine) -> FileContext:
    """The settings' file store for `engine`'s database (what `gongkai run` on that database reads)."""
    from content.settings import Settings

    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return context_from_settings(settings)


DEMO_ROBOT_KEY = "5e1f0c2a-7d3b-4e8f-9a6c-0d1e2f3a4b5c"


def _demo_robot(session: Session, org: Organization, public_url: str) -> None:
    """A grid group whose robot is the sandbox emulator served by `gongkai run` itself (local demos only)."""
    from urllib.parse import urlsplit

    from channels.wecom_group.robots import LOOPBACK_HOSTS, create_robot
    from content.models import UserRole
    from sandbox.robot import SANDBOX_PREFIX

    if urlsplit(public_url).hostname not in LOOPBACK_HOSTS:
        return

    admin_id = session.exec(select(UserRole.user_id).where(UserRole.org_id == org.id, UserRole.role == "admin")).first()
    url = f"{public_url.rstrip('/')}{SANDBOX_PREFIX}/cgi-bin/webhook/send?key={DEMO_ROBOT_KEY}"
    create_robot(session, actor=session.get(User, admin_id), name="示例村网格群", webhook_url=url, allow_sandbox=True)


def follow_public_url(engine, public_url: str) -> int:
    """Point the demo robot at the emulator of the server now starting (`gongkai run --port P`).

    `init --demo` wrote the robot's webhook with the public URL of that moment (port 8000 by default);
    a server on another port would post the group messages to nobody and the item would never be
    published. Only loopback demo robots (the demo key) move; returns how many did.
    """
    from urllib.parse import urlsplit

    from channels.wecom_group.robots import LOOPBACK_HOSTS
    from content.models.channel_targets import RobotGroup
    from sandbox.robot import SANDBOX_PREFIX

    if urlsplit(public_url).hostname not in LOOPBACK_HOSTS:
        return 0
    wanted = f"{public_url.rstrip('/')}{SANDBOX_PREFIX}/cgi-bin/webhook/send?key={DEMO_ROBOT_KEY}"
    moved = 0
    with Session(engine) as session:
        robots = session.exec(select(RobotGroup).where(RobotGroup.active == True,  # noqa: E712
                                                       RobotGroup.webhook_url.endswith(f"key={DEMO_ROBOT_KEY}"),
                                                       RobotGroup.webhook_url != wanted)).all()
        for robot in robots:
            if urlsplit(robot.webhook_url).hostname not in LOOPBACK_HOSTS:
                continue
            robot.webhook_url, robot.updated_at = wanted, utcnow()
            session.add(robot)
            audit.record(session, org_id=robot.org_id, action="robot.update", target_type="robot_group",
                         target_id=robot.id, webhook="replaced", why="public_url")
            moved += 1
        session.commit()
    return moved
