"""Every page of the demo town in Chromium, as each role sees it, at 1366×768 and on a 375×812 phone.

For each page and viewport: the page answers (no redirect to the login page), nothing is wider than
the configured viewport (`scrollWidth <= viewport width`), the browser logged no error (console errors, uncaught
exceptions and CSP violations all count) and axe-core finds no WCAG 2.0/2.1 A or AA violation.
axe-core is vendored under tests/browser/vendor/ (from the npm registry); nothing is fetched at test
time. It is evaluated through the DevTools protocol, so the app's own Content-Security-Policy stays in
force for everything else the page does. A screenshot of each page is saved in test-artifacts/browser/.

One browser, one context per (role, viewport), one page reused across that context's tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import ARTIFACTS, DEMO_ORG, SECRET_KEY, horizontal_overflow

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).parent / "vendor" / "axe-core-4.14.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"1366": {"viewport": {"width": 1366, "height": 768}},
             "375": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}}
LOGINS = {"drafter": "zhangwei", "drafter_b": "lina", "dept_head": "wangqiang", "leader": "chenjing",
          "principal": "zhaolei", "admin": "zhuanyuan", "public": None}


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    path: str  # may name demo rows: {draft}, {published}, {dept_head}, … {application}, {interaction}, {token}
    ready: str | None = None  # a selector that exists once the page's own scripts have run
    status: int = 200
    axe: bool = True  # False: no axe-core run (feeds are XML; Swagger UI is a third party's page)
    shot: bool = True  # False: no screenshot or overflow check (feeds are XML)
    media_type: str = "text/html"


PAGES = [
    Page("public", "login", "/login"),
    Page("public", "public_item", "/p/{org}/{published}"),
    Page("public", "public_missing", "/p/{org}/999999", status=404),
    Page("public", "screen", "/screen/{org}"),
    Page("public", "mobile_preview", "/m/preview/{token}"),
    Page("public", "feed_atom", "/feeds/{org}.atom", axe=False, shot=False, media_type="application/atom+xml"),
    Page("public", "feed_rss", "/feeds/{org}.rss", axe=False, shot=False, media_type="application/rss+xml"),
    Page("drafter", "dashboard", "/"),
    Page("drafter", "items", "/items"),
    Page("drafter", "item_draft", "/items/{draft}"),
    Page("drafter", "editor_new", "/items/new", ready=".w-e-toolbar button"),
    Page("drafter", "editor_edit", "/items/{draft}/edit", ready=".w-e-toolbar button"),
    Page("drafter", "preview_portal", "/items/{draft}/preview/portal"),
    Page("drafter", "preview_mp", "/items/{draft}/preview/mp"),
    Page("drafter", "calendar", "/calendar"),
    Page("drafter", "publications", "/publications"),
    Page("drafter", "registers", "/registers"),
    Page("drafter", "reports", "/reports"),
    Page("drafter", "binding", "/me/binding"),
    Page("drafter", "notices", "/notices"),
    Page("drafter", "not_found", "/items/999999", status=404),
    Page("drafter", "forbidden", "/settings", status=403),
    Page("drafter", "account_password", "/account/password"),
    Page("drafter_b", "dashboard", "/"),  # her rejected item, with the reason
    Page("drafter_b", "item_rejected", "/items/{rejected}"),
    Page("drafter_b", "editor_rejected", "/items/{rejected}/edit", ready=".w-e-toolbar button"),
    Page("dept_head", "dashboard", "/"),
    Page("dept_head", "review", "/items/{dept_head}/review"),
    Page("leader", "dashboard", "/"),
    Page("leader", "review", "/items/{leader}/review"),
    Page("leader", "item_published", "/items/{published}"),
    Page("principal", "dashboard", "/"),
    Page("principal", "review", "/items/{principal}/review"),
    Page("principal", "item_emergency", "/items/{emergency}"),
    Page("admin", "dashboard", "/"),
    Page("admin", "items", "/items"),
    Page("admin", "item_withdrawn", "/items/{withdrawn}"),
    Page("admin", "item_rejected", "/items/{rejected}"),
    Page("admin", "item_scheduled", "/items/{scheduled}"),
    Page("admin", "item_approved", "/items/{approved}"),
    Page("admin", "calendar", "/calendar"),
    Page("admin", "settings", "/settings"),
    Page("admin", "settings_channels", "/settings/channels"),
    Page("admin", "notices", "/notices"),
    Page("admin", "publications", "/publications"),
    Page("admin", "registers", "/registers"),
    Page("admin", "application_new", "/registers/applications/new"),
    Page("admin", "application", "/registers/applications/{application}"),
    Page("admin", "interaction_new", "/registers/interactions/new"),
    Page("admin", "interaction", "/registers/interactions/{interaction}"),
    Page("admin", "appeal_new", "/registers/appeals/new"),
    Page("admin", "holidays", "/registers/holidays"),
    Page("admin", "reports", "/reports"),
    Page("admin", "reports_bad_year", "/reports?year=1800", status=422),  # the error beside the field
    Page("admin", "report", "/reports/{last_year}"),
    Page("admin", "binding", "/me/binding"),
    Page("admin", "users", "/users"),
    Page("admin", "sandbox_chat", "/sandbox/chat"),
    # Swagger UI (vendored): static/css/api-docs.css gives its colours 4.5:1, static/js/api-docs.js takes
    # the deep links out of the operation buttons (nested-interactive); axe runs once operations render
    Page("admin", "api_docs", "/api/docs", ready=".swagger-ui .opblock-summary-control"),
]

AXE_RUN = """async tags => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 8).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
        count: v.nodes.length,
    }));
}"""


def _demo_rows(sqlite_url: str) -> dict[str, str]:
    """The ids the page paths name: one item per state (and per review gate), register rows, a preview token."""
    from annual.registers.models import DisclosureApplication, Interaction
    from content.db.db import make_engine
    from content.models import Item, Organization
    from content.preview import make_preview_token
    from content.timeutil import local_today

    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as s:
            org = s.exec(select(Organization).where(Organization.code == DEMO_ORG)).one()
            rows: dict[str, str] = {"org": org.code, "last_year": str(local_today().year - 1)}
            for item in s.exec(select(Item).where(Item.org_id == org.id).order_by(Item.id)).all():
                key = item.gate if item.state == "in_review" else item.state
                rows.setdefault(str(key), str(item.id))
                if item.emergency:
                    rows.setdefault("emergency", str(item.id))
            rows["application"] = str(s.exec(select(DisclosureApplication.id)).first())
            rows["interaction"] = str(s.exec(select(Interaction.id)).first())
            leader_item = s.get(Item, int(rows["leader"]))
            rows["token"] = make_preview_token(SECRET_KEY, item_id=leader_item.id,
                                               revision_id=leader_item.current_revision_id)
    finally:
        engine.dispose()
    return rows


class Tab:
    """One role's page at one viewport: logged in once, reused for each of that role's pages."""

    def __init__(self, browser, base: str, role: str, viewport: str, storage_state=None) -> None:
        self.base, self.role, self.viewport = base, role, viewport
        self.context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", storage_state=storage_state,
                                           **VIEWPORTS[viewport])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        """Name what failed to load: Chromium's console line for a 4xx/5xx does not say which URL."""
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"http {response.status}: {response.request.method} {response.url}")

    def login(self, login: str, password: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("#login", login)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")
        self.errors.clear()


@pytest.fixture(scope="module")
def demo(demo_server):
    base, sqlite_url = demo_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return base, _demo_rows(sqlite_url)


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tabs(browser, demo):
    """tab(role, viewport) → a Tab, made once; the phone tab of a role reuses its desktop login cookie."""
    from app.demo import DEMO_PASSWORD

    base, _ = demo
    made: dict[tuple[str, str], Tab] = {}

    def tab(role: str, viewport: str) -> Tab:
        if (role, viewport) not in made:
            state = None
            if viewport != "1366":
                state = tab(role, "1366").context.storage_state()
            t = Tab(browser, base, role, viewport, storage_state=state)
            if LOGINS[role] and state is None:
                t.login(LOGINS[role], DEMO_PASSWORD)
            made[(role, viewport)] = t
        return made[(role, viewport)]

    yield tab
    for t in made.values():
        t.context.close()


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['id']}] ({v['impact']}) {v['help']} — {v['count']} node(s):")
        lines += [f"      {n}" for n in v["nodes"]]
    return "\n".join(lines)


def _problems(page, errors: list[str], label: str, axe_source: str, *, allowed: tuple[str, ...] = (),
              shot: bool = True, axe: bool = True) -> list[str]:
    """What is wrong with the page as it stands: overflow, axe-core violations, browser errors.

    `allowed`: browser error lines expected on purpose, e.g. "status of 422 " for a refused form
    (Chromium logs every 4xx answer as a console error).
    """
    problems: list[str] = []
    if shot:
        page.screenshot(path=str(ARTIFACTS / f"every-page-{label}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(overflow)
    if axe:
        page.evaluate(axe_source)
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        if violations:
            problems.append("axe-core WCAG 2 A/AA violations:\n" + _report(violations))
    unexpected = [e for e in errors if not any(x in e for x in allowed)]
    if unexpected:
        problems.append("browser errors:\n  " + "\n  ".join(unexpected))
    return problems


# Pages found wider than a 375 px phone once the guard compared with the viewport instead of innerWidth
# (issue 21 walk, finding 1). Strict: each entry fails the suite as soon as its page fits, so that it is
# taken off this list. Empty since registers, settings, settings/channels and the annual report fit (table-wrap).
KNOWN_PHONE_OVERFLOW: set[tuple[str, str]] = set()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("spec", PAGES, ids=[f"{p.role}-{p.name}" for p in PAGES])
def test_page(spec: Page, viewport: str, demo, tabs, axe_source, request):
    if viewport == "375" and (spec.role, spec.name) in KNOWN_PHONE_OVERFLOW:
        request.applymarker(pytest.mark.xfail(strict=True, reason="wider than a 375 px phone (issue 21 walk)"))
    base, rows = demo
    tab = tabs(spec.role, viewport)
    page = tab.page
    path = spec.path.format(**rows)
    label = f"{spec.role}-{spec.name}-{viewport}"
    tab.errors.clear()
    response = page.goto(base + path)
    page.wait_for_load_state("load")
    if spec.ready:
        page.wait_for_selector(spec.ready, state="attached")
    problems: list[str] = []
    assert response is not None
    if response.status != spec.status:
        problems.append(f"answered {response.status}, expected {spec.status}")
    if not response.headers.get("content-type", "").startswith(spec.media_type):
        problems.append(f"answered {response.headers.get('content-type')}, expected {spec.media_type}")
    if urlsplit(page.url).path != urlsplit(base + path).path:
        problems.append(f"ended on {page.url}")
    problems += _problems(page, tab.errors, label, axe_source, shot=spec.shot, axe=spec.axe,
                          allowed=(f"status of {spec.status} ",) if spec.status != 200 else ())
    assert not problems, f"{path} as {spec.role} at {viewport} px:\n" + "\n".join(problems)


def test_editor_toolbar_names_come_from_wangeditors_tooltips(demo, tabs):
    """editor_a11y.js: each icon button is named by its tooltip's first line, its shortcut kept apart."""
    base, _ = demo
    page = tabs("drafter", "1366").page
    page.goto(base + "/items/new")
    page.wait_for_selector(".w-e-toolbar button[aria-label]", state="attached")
    bold = page.locator('.w-e-toolbar button[data-tooltip^="粗体"]')
    assert bold.get_attribute("aria-label") == "粗体"
    assert bold.get_attribute("aria-keyshortcuts") == "Control+B"
    assert page.get_by_role("button", name="无序列表").count() == 1
    unnamed = page.evaluate("""[...document.querySelectorAll('.w-e-toolbar button')]
        .filter(b => !b.textContent.trim() && !b.getAttribute('aria-label')).length""")
    assert unnamed == 0
    body = page.get_by_role("textbox", name="正文")
    assert body.count() == 1 and body.get_attribute("aria-multiline") == "true"


# ---------------------------------------------------------------------------- pages in a state
# The crawl above sees each page as it opens; these open the states people meet next. Each uses its own
# browser context (cookies copied from the role's crawler tab), so what a state leaves behind (an
# autosaved draft, a renewed session) stays out of the crawl.

@pytest.fixture
def fresh(browser, demo, tabs):
    """fresh(role, viewport) → a new Tab logged in as `role`, closed after the test.

    By default it shares the crawler tab's session (cookies copied); `own_session=True` logs in anew,
    for a state that ends the session it is shown in (a reset's temporary password renews it).
    """
    from app.demo import DEMO_PASSWORD

    made: list[Tab] = []

    def make(role: str, viewport: str, *, own_session: bool = False) -> Tab:
        state = tabs(role, "1366").context.storage_state() if LOGINS[role] and not own_session else None
        t = Tab(browser, demo[0], role, viewport, storage_state=state)
        if own_session:
            t.login(LOGINS[role], DEMO_PASSWORD)
        made.append(t)
        return t

    yield make
    for t in made:
        t.context.close()


def test_phone_menu_open(demo, fresh, axe_source):
    base, _ = demo
    tab = fresh("drafter", "375")
    page = tab.page
    page.goto(base + "/")
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#mainnav").is_visible()  # collapsed on the phone
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#mainnav a[href='/items']").is_visible()
    problems = _problems(page, tab.errors, "state-phone-menu-375", axe_source)
    assert not problems, "open phone menu:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_editor_with_errors_beside_the_fields(demo, fresh, axe_source, viewport):
    """保存草稿 without a title and with 定时发布 but no time: the fetch answers 422, errors beside the fields."""
    base, _ = demo
    tab = fresh("drafter", viewport)
    page = tab.page
    page.goto(base + "/items/new")
    page.wait_for_selector(".w-e-toolbar button", state="attached")
    page.fill("#title", "")
    page.check("input[name=publish_mode][value=later]")
    page.click("#save-btn")
    page.wait_for_selector("#error-title", state="visible")
    assert page.locator("#error-title").inner_text() == "标题不能为空"
    assert page.locator("#error-publish_at").is_visible()
    assert page.url.endswith("/items/new")  # nothing left the page
    problems = _problems(page, tab.errors, f"state-editor-errors-{viewport}", axe_source,
                         allowed=("status of 422 ", "http 422: POST"))
    assert not problems, f"editor with errors at {viewport} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_review_reject_without_a_reason(demo, fresh, axe_source, viewport):
    base, rows = demo
    tab = fresh("dept_head", viewport)
    page = tab.page
    page.goto(base + f"/items/{rows['dept_head']}/review")
    page.fill("#reason-reject", "")
    with page.expect_navigation():
        page.click("#btn-reject")
    assert page.locator("#decide-bar.has-error .field-error").is_visible()
    assert page.locator("#decide-bar .field-error").inner_text() == "请填写理由"
    assert page.input_value("#reason-reject") == ""
    # POST-redirect-GET (walk finding 9): F5 re-reads the page instead of re-posting, no 4xx logged
    assert urlsplit(page.url).path == f"/items/{rows['dept_head']}/review"
    problems = _problems(page, tab.errors, f"state-review-reject-empty-{viewport}", axe_source)
    assert not problems, f"驳回 without a reason at {viewport} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_account_pages_in_their_states(demo, demo_server, fresh, axe_source, viewport):
    """The password form with errors, and 用户账号 showing a reset's temporary password once (then gone)."""
    from content import accounts
    from content.db.db import make_engine
    from content.models import Organization

    base, _ = demo
    engine = make_engine(demo_server[1])
    with Session(engine) as s:
        org = s.exec(select(Organization).where(Organization.code == DEMO_ORG)).one()
        target = accounts.create_user(s, org_id=org.id, login=f"crawl-reset-{viewport}", name="重置演示",
                                      password="crawl-pass-123", roles="drafter",
                                      department="党政综合办公室").id
        s.commit()
    engine.dispose()

    tab = fresh("drafter", viewport)
    page = tab.page
    page.goto(base + "/account/password")
    page.fill("#old_password", "anything-123")
    page.fill("#new_password", "new-password-1")
    page.fill("#new_password2", "new-password-2")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "两次输入的新密码不一致" in page.locator("main").inner_text()
    problems = _problems(page, tab.errors, f"state-password-errors-{viewport}", axe_source,
                         allowed=("status of 422 ",))

    admin = fresh("admin", viewport, own_session=True)
    page = admin.page
    page.goto(base + "/users")
    row = page.locator(f"#account-{target}")
    row.locator("summary").click()
    with page.expect_navigation():
        row.locator("button[type=submit]").first.click()
    assert urlsplit(page.url).path == "/users" and "done=reset" in page.url
    shown = page.locator("#temporary-password")
    assert shown.is_visible() and "crawl-reset" in shown.inner_text()
    problems += _problems(page, admin.errors, f"state-users-reset-{viewport}", axe_source)
    page.reload()  # F5: nothing is posted again and the password is not shown again
    assert page.locator("#temporary-password").count() == 0 and "只显示一次" in page.locator("main").inner_text()
    problems += _problems(page, admin.errors, f"state-users-reset-reloaded-{viewport}", axe_source)
    assert not problems, f"account pages at {viewport} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_api_docs_operation_opened_and_tried(demo, fresh, axe_source, viewport):
    """Swagger UI after 展开 and Try it out: still clean; deep links still follow; no link inside a button."""
    base, _ = demo
    tab = fresh("admin", viewport)
    page = tab.page
    page.goto(base + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-control", state="attached")
    assert page.locator(".opblock-summary-control a[href]").count() == 0
    op = page.locator("#operations-auth-create_token_api_v1_auth_token_post")
    op.locator(".opblock-summary-control").click()
    op.locator(".try-out__btn").click()
    page.wait_for_selector("textarea.body-param__text", state="visible")
    assert "#/" in page.url  # the library keeps the address bar on the open operation
    problems = _problems(page, tab.errors, f"state-api-docs-open-{viewport}", axe_source)
    assert not problems, f"/api/docs with an operation open at {viewport} px:\n" + "\n".join(problems)
