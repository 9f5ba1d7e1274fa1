"""The two taxonomies every item carries: portal topic headings and catalogue areas."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import org_fk


class Taxonomy(StrEnum):
    topic = "topic"  # portal topic heading (栏目/主题分类)
    area = "area"  # 基层政务公开标准目录 area


class Category(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "taxonomy", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    taxonomy: str = Field(max_length=10)
    name: str = Field(max_length=100)
    parent_id: int | None = Field(default=None, foreign_key="category.id")
    portal_code: str | None = Field(default=None, max_length=64)
    sort: int = 0
    active: bool = True


TOPIC_HEADINGS = ["重大建设项目", "民政扶贫救灾社会保障就业", "国土资源城乡建设环保能源", "科教文体卫生", "其他"]

CATALOGUE_AREAS = [
    "重大建设项目", "公共资源交易", "财政预决算", "安全生产", "税收管理", "征地补偿",
    "国有土地上房屋征收与补偿", "农村危房改造", "城乡规划", "生态环境", "公共文化服务", "公共法律服务",
    "扶贫/乡村振兴", "救灾", "食品药品监管", "城市综合执法", "就业", "社会保险", "社会救助", "养老服务",
    "户籍管理", "涉农补贴", "义务教育", "卫生健康", "市政服务", "保障性住房",
]  # fmt: skip
