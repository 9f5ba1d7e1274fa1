"""Settings for the admin: users (roles, oversight, deputy), departments, categories, sensitive words,
channel status. Every change goes through content.accounts or a store-level write with its audit event."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from content import accounts, audit
from content.errors import DomainError, Invalid, NotFound
from content.models import (
    ROLE_LABELS,
    Category,
    Department,
    Deputy,
    Oversight,
    Taxonomy,
    User,
    UserRole,
    WordRule,
)
from content.timeutil import SHANGHAI
from web.deps import SessionDep
from web.pages.session import AdminUserDep, read_form
from web.pages.templating import render

router = APIRouter()


def _context(session, admin: User) -> dict:
    users = session.exec(select(User).where(User.org_id == admin.org_id).order_by(User.id)).all()
    roles: dict[int, list[str]] = {}
    for row in session.exec(select(UserRole).where(UserRole.org_id == admin.org_id)):
        roles.setdefault(row.user_id, []).append(row.role)
    over: dict[int, list[int]] = {}
    for row in session.exec(select(Oversight).where(Oversight.org_id == admin.org_id)):
        over.setdefault(row.user_id, []).append(row.department_id)
    departments = session.exec(select(Department).where(Department.org_id == admin.org_id)
                               .order_by(Department.id)).all()
    return {
        "users": users, "user_roles": roles, "oversight": over, "departments": departments,
        "dept_names": {d.id: d.name for d in departments}, "role_choices": list(ROLE_LABELS.items()),
        "deputies": session.exec(select(Deputy).where(Deputy.org_id == admin.org_id).order_by(Deputy.id)).all(),
        "names": {u.id: u.name for u in users},
        "topics": session.exec(select(Category).where(Category.org_id == admin.org_id,
                                                      Category.taxonomy == Taxonomy.topic).order_by(Category.sort)).all(),
        "areas": session.exec(select(Category).where(Category.org_id == admin.org_id,
                                                     Category.taxonomy == Taxonomy.area).order_by(Category.sort)).all(),
        "words": session.exec(select(WordRule).where(WordRule.org_id == admin.org_id).order_by(WordRule.id)).all(),
    }  # fmt: skip


def _show(request: Request, session, admin: User, section: str, *, errors=None, typed=None, status=200,
          done: str | None = None):
    ctx = _context(session, admin)
    settings = request.app.state.settings
    ctx["channels"] = [
        ("门户网站", settings.portal_configured, settings.portal_url or "未配置（使用本地模拟门户）"),
        ("微信公众号", settings.mp_configured, settings.mp_app_id or "未配置（使用沙箱）"),
        ("企业微信", settings.wecom_configured, settings.wecom_corp_id or "未配置（使用沙箱）"),
    ]
    ctx.update({"section": section, "errors": errors or {}, "typed": typed or {}, "done": done,
                "sandbox": settings.sandbox})
    return render(request, "settings.html", ctx, status=status)


@router.get("/settings", name="web_settings")
def settings_page(request: Request, session: SessionDep, admin: AdminUserDep, done: str = ""):
    return _show(request, session, admin, "all", done=done or None)


def _field(form, name: str) -> str:
    return str(form.get(name) or "").strip()


@router.post("/settings/{section}")
async def settings_post(request: Request, section: str, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    typed = {k: (form.getlist(k) if k in ("roles", "oversees") else str(v)) for k, v in form.items()}
    try:
        _apply(session, admin, section, form)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status == 403:
            raise
        return _show(request, session, admin, section, errors={section: exc.message}, typed=typed,
                     status=exc.status)
    return RedirectResponse(f"/settings?done={section}#{section}", status_code=303)


def _apply(session, admin: User, section: str, form) -> None:
    org_id = admin.org_id
    if section == "user":
        accounts.create_user(session, org_id=org_id, login=_field(form, "login"), name=_field(form, "name"),
                             password=str(form.get("password") or ""), roles=form.getlist("roles"),
                             department=_field(form, "department") or None,
                             oversees=form.getlist("oversees") or None, actor=admin)
    elif section == "roles":
        user = _user(session, org_id, _field(form, "user_id"))
        accounts.set_roles(session, user=user, roles=form.getlist("roles"), oversees=form.getlist("oversees"),
                           actor=admin)
    elif section == "deputy":
        user = _user(session, org_id, _field(form, "user_id"))
        deputy = _user(session, org_id, _field(form, "deputy_id"))
        accounts.name_deputy(session, user=user, deputy=deputy, starts_at=_date(form, "starts_at"),
                             ends_at=_date(form, "ends_at"), actor=admin)
    elif section == "department":
        accounts.create_department(session, org_id=org_id, name=_field(form, "name"), actor=admin)
    elif section == "category":
        _add_category(session, admin, _field(form, "taxonomy"), _field(form, "name"))
    elif section == "word":
        _add_word(session, admin, form)
    elif section == "word-delete":
        rule = session.get(WordRule, int(_field(form, "rule_id") or 0))
        if rule is None or rule.org_id != org_id:
            raise NotFound("word_not_found", "该词条不存在")
        audit.record(session, org_id=org_id, action="wordrule.delete", target_type="wordrule", target_id=rule.id,
                     actor=admin, word=rule.word)
        session.delete(rule)
    else:
        raise NotFound("not_found", "未知的设置项")


def _user(session, org_id: int, raw: str) -> User:
    user = session.get(User, int(raw)) if raw.isdigit() else None
    if user is None or user.org_id != org_id:
        raise NotFound("user_not_found", "请选择用户")
    return user


def _date(form, name: str) -> datetime:
    try:
        return datetime.strptime(_field(form, name), "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise Invalid("invalid_date", "请填写代理的起止日期（年-月-日）") from None


def _add_category(session, admin: User, taxonomy: str, name: str) -> None:
    if taxonomy not in {t.value for t in Taxonomy}:
        raise Invalid("taxonomy_invalid", "请选择分类体系")
    if not name or len(name) > 100:
        raise Invalid("category_name", "分类名称不能为空，且不超过 100 字")
    exists = session.exec(select(Category).where(Category.org_id == admin.org_id, Category.taxonomy == taxonomy,
                                                 Category.name == name)).first()
    if exists:
        raise Invalid("category_exists", f"分类“{name}”已存在")
    cat = Category(org_id=admin.org_id, taxonomy=taxonomy, name=name, sort=999)
    session.add(cat)
    session.flush()
    audit.record(session, org_id=admin.org_id, action="category.create", target_type="category",
                 target_id=cat.id, actor=admin, taxonomy=taxonomy, name=name)


def _add_word(session, admin: User, form) -> None:
    word = _field(form, "word")
    kind = _field(form, "kind") or "sensitive"
    severity = _field(form, "severity") or "warning"
    if not word or len(word) > 100:
        raise Invalid("word_required", "词语不能为空，且不超过 100 字")
    if kind not in ("sensitive", "wording") or severity not in ("error", "warning"):
        raise Invalid("word_kind", "请选择词语类型和处理方式")
    if session.exec(select(WordRule).where(WordRule.org_id == admin.org_id, WordRule.word == word)).first():
        raise Invalid("word_exists", f"词语“{word}”已在列表中")
    rule = WordRule(org_id=admin.org_id, word=word, kind=kind, severity=severity,
                    suggestion=_field(form, "suggestion") or None, flags_sensitive=form.get("flags") == "1")
    session.add(rule)
    session.flush()
    audit.record(session, org_id=admin.org_id, action="wordrule.create", target_type="wordrule",
                 target_id=rule.id, actor=admin, word=word, kind=kind, severity=severity)
