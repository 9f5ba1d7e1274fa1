"""Login, CSRF, lock-out, logout and error pages of the web UI, on both databases."""

from __future__ import annotations

from sqlmodel import Session

from content.models import User
from tests.web.pages.conftest import HTML


def test_login_redirects_and_logout_ends_session(client_for, world):
    c = client_for()
    r = c.get("/?tab=1", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/%3Ftab%3D1"
    c.page("/login?next=/")
    r = c.submit("/login", {"login": "drafter", "password": world.password, "next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = c.page("/")
    assert home.status_code == 200 and "drafter" in home.text and "退出登录" in home.text
    r = c.submit("/logout")
    assert r.status_code == 303
    assert c.get("/", headers=HTML, follow_redirects=False).status_code == 303


def test_wrong_password_keeps_login_and_shows_chinese_error(client_for):
    c = client_for()
    r = c.submit("/login", {"login": "drafter<script>", "password": "nope"})
    assert r.status_code == 401
    assert "登录名或密码错误" in r.text
    assert 'value="drafter&lt;script&gt;"' in r.text  # typed value kept, escaped


def test_empty_fields_are_reported_next_to_each_field(client_for):
    r = client_for().submit("/login", {"login": "", "password": ""})
    assert r.status_code == 422
    assert "请输入登录名" in r.text and "请输入密码" in r.text


def test_post_without_or_with_wrong_csrf_is_refused(client_for, world):
    c = client_for()
    r = c.post("/login", data={"login": "drafter", "password": world.password}, headers=HTML,
               follow_redirects=False)
    assert r.status_code == 403 and "刷新页面" in r.text
    r = c.post("/login", data={"login": "drafter", "password": world.password, "csrf_token": "forged"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    logged = client_for("drafter")
    r = logged.post("/logout", data={"csrf_token": "forged"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    assert logged.page("/").status_code == 200  # still logged in


def test_lockout_after_repeated_failures(client_for, world, engine):
    c = client_for()
    codes = [c.submit("/login", {"login": "head_a", "password": "wrong-password"}).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    r = c.submit("/login", {"login": "head_a", "password": world.password})
    assert r.status_code == 429 and "账号已锁定" in r.text


def test_password_change_ends_web_sessions(client_for, world, engine):
    c = client_for("drafter")
    from content.credentials import change_password

    with Session(engine) as s:
        change_password(s, user=s.get(User, world.drafter), old_password=world.password,
                        new_password="another-password-1")
        s.commit()
    assert c.get("/", headers=HTML, follow_redirects=False).status_code == 303


def test_unknown_page_is_a_chinese_404_page_and_api_stays_json(client_for):
    c = client_for("drafter")
    r = c.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and "页面不存在" in r.text and "<html" in r.text
    r = c.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_open_redirect_after_login_is_refused(client_for, world):
    c = client_for()
    r = c.submit("/login", {"login": "drafter", "password": world.password, "next": "//evil.example/x"})
    assert r.headers["location"] == "/"


def test_vendored_assets_are_served_with_licences(client_for):
    c = client_for()
    for path in ("/static/vendor/wangeditor-5.1.23/index.js", "/static/vendor/echarts-6.1.0/echarts.min.js",
                 "/static/vendor/wangeditor-5.1.23/LICENSE", "/static/css/app.css"):
        assert c.get(path).status_code == 200, path
    assert c.get("/static/../settings.py").status_code == 404
    assert c.get("/static/%2e%2e/session.py").status_code == 404
