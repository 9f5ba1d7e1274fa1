"""Static checks of deploy/: the compose file parses and wires what it should; nginx and systemd files agree.

Docker cannot run here; `nginx -t` runs when nginx is installed (deploy/../.ci installs it when apt works).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_every_service_wired(compose):
    services = compose["services"]
    assert {"db", "app", "scheduler", "nginx", "init", "backup"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    app_cmd = services["app"]["command"]
    assert app_cmd[0] == "serve" and "--workers" in app_cmd
    assert services["scheduler"]["command"] == ["scheduler"]
    for name in ("app", "scheduler", "init", "backup"):
        svc = services[name]
        assert svc["depends_on"]["db"]["condition"] == "service_healthy", name
        assert svc["environment"]["GONGKAI_DATABASE_URL"].startswith("postgresql://"), name
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "443:443" in services["nginx"]["ports"]
    mounted = {v.split(":")[0] for v in services["nginx"]["volumes"]}
    for path in mounted:
        if path.startswith("./nginx/"):
            assert (DEPLOY / path).exists(), path


def test_dockerfile_is_multistage_and_non_root():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM .+ AS (\w+)", text, flags=re.M)
    assert len(stages) >= 2
    users = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert users and not users[-1].startswith(("root", "0"))
    for src in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.M):
        for part in src.split():
            assert (DEPLOY.parent / part).exists(), part


def test_nginx_routes_the_wechat_callbacks_with_limits():
    common = (DEPLOY / "nginx" / "gongkai-common.conf").read_text(encoding="utf-8")
    block = common.split("location /wechat/", 1)[1].split("}", 1)[0]
    assert "client_max_body_size" in block and "proxy_read_timeout 5s" in block
    assert re.search(r"^client_max_body_size \d+m;", common, flags=re.M)
    for site in ("gongkai.conf", "gongkai-compose.conf"):
        text = (DEPLOY / "nginx" / site).read_text(encoding="utf-8")
        assert "ssl_certificate " in text and "gongkai-common.conf" in text and "upstream gongkai_app" in text


def test_systemd_units_parse_and_run_the_right_commands():
    for unit, command in [("gongkai-web.service", "gongkai serve"), ("gongkai-scheduler.service", "gongkai scheduler"),
                          ("gongkai-backup.service", "backup.sh")]:
        cp = configparser.ConfigParser(strict=False, interpolation=None)
        cp.optionxform = str
        cp.read(DEPLOY / "systemd" / unit, encoding="utf-8")
        assert command in cp["Service"]["ExecStart"], unit
        assert cp["Service"]["User"] == "gongkai"
    timer = configparser.ConfigParser(interpolation=None)
    timer.read(DEPLOY / "systemd" / "gongkai-backup.timer")
    assert timer["Timer"]["OnCalendar"]


@pytest.mark.skipif(shutil.which("nginx") is None and os.environ.get("CI", "").lower() != "true",
                    reason="nginx is not installed (python -m tests.setup_system installs it)")
def test_nginx_accepts_the_site(tmp_path):
    """`nginx -t` on a throwaway config that includes our site with a self-signed certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
                   check=True, capture_output=True)
    (tmp_path / "snippets").mkdir()
    shutil.copy(DEPLOY / "nginx" / "gongkai-common.conf", tmp_path / "snippets" / "gongkai-common.conf")
    site = (DEPLOY / "nginx" / "gongkai.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/gongkai/", f"{tls}/").replace("/etc/nginx/snippets/", f"{tmp_path}/snippets/")
    site = site.replace("listen 80;", "listen 127.0.0.1:18080;").replace("listen 443 ssl;", "listen 127.0.0.1:18443 ssl;")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    r = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_web_service_trusts_nginx_for_client_addresses(compose):
    """Login throttling counts by client address: behind nginx in compose, the web service must read
    X-Forwarded-For (uvicorn trusts only 127.0.0.1 by default), and still reach its database."""
    env = compose["services"]["app"]["environment"]
    assert env["FORWARDED_ALLOW_IPS"] == "*" and "@db:5432/gongkai" in env["GONGKAI_DATABASE_URL"]
    assert "ports" not in compose["services"]["app"]  # only nginx can reach it
