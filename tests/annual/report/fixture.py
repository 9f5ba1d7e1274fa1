"""A hand-computed two-year register (2024 → 2025); the expected tables are written in the tests."""

from __future__ import annotations

from sqlmodel import Session

from annual.registers.applications import create_application

# (key, received_on, applicant type, replied_on, result, extra fields)
APPLICATIONS = [
    # received before National Day 2024, answered on the due day
    ("A", "2024-09-20", "natural", "2024-10-23", "public", {}),
    # received late in 2024, extended 20 working days across the 2025 Spring Festival, answered in 2025
    ("B", "2024-12-20", "commercial", "2025-02-20", "partial", {"extension_days": 20,
                                                                 "withheld_reasons": ["deny_third_party"]}),
    ("D", "2024-12-30", "legal", "2025-01-10", "deny_law", {}),
    # 补正 asked, never received: closed in 2025 under （六）1
    ("E", "2024-11-01", "social", "2025-01-06", "other_no_correction", {"correction_asked_on": "2024-11-05"}),
    # 补正 received after the Spring Festival (the period restarts); answered one day late
    ("C", "2025-01-15", "research", "2025-03-05", "deny_secret",
     {"correction_asked_on": "2025-01-20", "correction_received_on": "2025-02-05"}),
    # still open on 31 December 2025: 结转 to 2026
    ("F", "2025-12-29", "natural", None, None, {"consultation_days": 5}),
]
SIMPLE_2025 = [
    ("deny_safety", "natural"), ("deny_third_party", "commercial"), ("deny_internal", "research"),
    ("deny_process", "social"), ("deny_enforcement", "legal"), ("deny_inquiry", "other"),
    ("unable_none", "natural"), ("unable_create", "commercial"), ("unable_unclear", "research"),
    ("reject_petition", "social"), ("reject_duplicate", "legal"), ("reject_publication", "other"),
    ("reject_mass", "natural"), ("reject_confirm", "commercial"), ("other_no_fee", "research"),
    ("other", "social"), ("public", "legal"),
]  # fmt: skip


def load_applications(session: Session, org_id: int) -> dict[str, int]:
    ids = {}
    for key, received, kind, replied, result, extra in APPLICATIONS:
        data = {"channel": "online", "received_on": received, "applicant_type": kind, "replied_on": replied,
                "result": result, "number": key, **extra}
        ids[key] = create_application(session, org_id=org_id, actor=None, data=data).id
    for n, (result, kind) in enumerate(SIMPLE_2025):
        data = {"channel": "in_person", "received_on": "2025-03-10", "applicant_type": kind,
                "replied_on": "2025-03-14", "result": result, "number": f"S{n}"}
        ids[f"S{n}"] = create_application(session, org_id=org_id, actor=None, data=data).id
    return ids
