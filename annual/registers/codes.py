"""Stable codes of the registers. Codes are English and never change; labels are the format's words."""

from __future__ import annotations

# Applicant types = the six applicant columns of table 三.
APPLICANT_TYPES: dict[str, str] = {
    "natural": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social": "社会公益组织",
    "legal": "法律服务机构",
    "other": "其他",
}

# 条例 第31条: which day counts as the day of receipt, by channel.
RECEIPT_CHANNELS: dict[str, str] = {
    "in_person": "当面提交（以提交之日为收到申请之日）",
    "post": "邮寄（以行政机关签收之日为收到申请之日）",
    "post_plain": "平常信函（以行政机关与申请人确认之日为收到申请之日）",
    "online": "互联网渠道（以双方确认之日为收到申请之日）",
    "fax": "传真（以双方确认之日为收到申请之日）",
}

# Result codes = the rows 三（一）…（六） of table 三. Layout 2021 uses every code; layout 2019 folds
# the three `other_*` codes into its single （六）其他处理 row.
RESULT_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("（一）予以公开", [("public", "")]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [("partial", "")]),
    ("（三）不予公开", [
        ("deny_secret", "1.属于国家秘密"),
        ("deny_law", "2.其他法律行政法规禁止公开"),
        ("deny_safety", "3.危及“三安全一稳定”"),
        ("deny_third_party", "4.保护第三方合法权益"),
        ("deny_internal", "5.属于三类内部事务信息"),
        ("deny_process", "6.属于四类过程性信息"),
        ("deny_enforcement", "7.属于行政执法案卷"),
        ("deny_inquiry", "8.属于行政查询事项"),
    ]),
    ("（四）无法提供", [
        ("unable_none", "1.本机关不掌握相关政府信息"),
        ("unable_create", "2.没有现成信息需要另行制作"),
        ("unable_unclear", "3.补正后申请内容仍不明确"),
    ]),
    ("（五）不予处理", [
        ("reject_petition", "1.信访举报投诉类申请"),
        ("reject_duplicate", "2.重复申请"),
        ("reject_publication", "3.要求提供公开出版物"),
        ("reject_mass", "4.无正当理由大量反复申请"),
        ("reject_confirm", "5.要求行政机关确认或重新出具已获取信息"),
    ]),
    ("（六）其他处理", [
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "3.其他"),
    ]),
]  # fmt: skip

RESULT_CODES: dict[str, str] = {
    code: (group + (label and " " + label)) for group, rows in RESULT_GROUPS for code, label in rows
}
OTHER_RESULT_CODES = ("other_no_correction", "other_no_fee", "other")
DENY_CODES = tuple(code for code, _ in RESULT_GROUPS[2][1])

INTERACTION_KINDS: dict[str, str] = {"survey": "网上调查问卷", "solicitation": "民意征集", "interview": "在线访谈"}

APPEAL_KINDS: dict[str, str] = {
    "reconsideration": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after": "行政诉讼（复议后起诉）",
}
APPEAL_OUTCOMES: dict[str, str] = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                                   "pending": "尚未审结"}  # fmt: skip


def label_of(mapping: dict[str, str], code: str | None) -> str:
    return mapping.get(code or "", code or "")
