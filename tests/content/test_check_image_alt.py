"""The missing-alt hint names the picture in words: no URL, no content hash, nothing unbreakable."""

from __future__ import annotations

from sqlmodel import Session

from content.checks import run_checks
from content.review import chain as workflow
from tests.content.helpers import make_item

SHA = "36feefcea91c3132c92b52108452a117cdeff5869383228b2bf1d0123456789a"


def test_missing_alt_names_the_picture_by_position_not_by_url(engine, world):
    body = (f'<p>正文一</p><img src="/files/{SHA}" alt="现场照片">'
            f'<p>正文二</p><img src="/files/{SHA[::-1]}">')
    item_id = make_item(engine, world.drafter, body_html=body, channels=["portal"])
    with Session(engine) as s:
        result = run_checks(s, workflow.get_item(s, org_id=world.org_id, item_id=item_id))
    alt = [w["message"] for w in result.warnings if w["code"] == "alt_missing"]
    assert alt == ["正文第 2 张图片缺少替代文字（请在编辑器中为图片填写说明）"]
    assert not any("/files/" in w["message"] or SHA[:16] in w["message"] for w in result.warnings)
