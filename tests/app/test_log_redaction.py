"""`gongkai run` access log lines carry no follower openid, signature or preview token (issue 14)."""

from __future__ import annotations

import logging

from app.logging_setup import setup_logging
from content.settings import Settings


def test_access_log_masks_openids_signatures_and_preview_tokens(capsys):
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        setup_logging(Settings(database_url="sqlite:///:memory:", secret_key="log-test-secret-key"))
        access = logging.getLogger("uvicorn.access")
        fmt = '%s - "%s %s HTTP/%s" %d'
        access.info(fmt, "10.0.0.9:5123", "POST",
                    "/wechat/mp?signature=5ab9f0&timestamp=1700000000&nonce=88&openid=oFollower123XYZ"
                    "&encrypt_type=aes&msg_signature=c0ffee99", "1.1", 200)
        access.info(fmt, "10.0.0.9:5124", "GET", "/m/preview/eyJpIjozLCJyIjo3fQ.ZzYx.QkY2-secret", "1.1", 200)
        access.info(fmt, "10.0.0.9:5125", "GET", "/items?q=会议&page=2", "1.1", 200)
        out = capsys.readouterr().err
    finally:
        for handler in list(root.handlers):
            if handler not in before[0]:
                root.removeHandler(handler)
        root.setLevel(before[1])
    assert "oFollower123XYZ" not in out and "5ab9f0" not in out and "c0ffee99" not in out
    assert "QkY2-secret" not in out and "eyJpIjozLCJyIjo3fQ" not in out
    assert "/wechat/mp?signature=***" in out and "openid=***" in out and "timestamp=1700000000" in out
    assert "/m/preview/*** HTTP/1.1" in out and "/items?q=会议&page=2" in out
