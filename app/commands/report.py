"""Annual report commands: tally, report, import, export, holidays, figures."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import typer

from app.cli_support import cli_session, die
from app.progress import progress
from content import accounts
from content.errors import DomainError

holidays_cli = typer.Typer(help="节假日安排（chinese_calendar 未收录的年份由管理员录入）", no_args_is_help=True)
registers_cli = typer.Typer(help="台账（依申请公开、互动、复议诉讼）", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.command("tally")(tally_cmd)
    cli.command("report")(report_cmd)
    cli.command("import")(import_cmd)
    cli.command("export")(export_cmd)
    cli.command("figures")(figures_cmd)
    cli.add_typer(holidays_cli, name="holidays")
    cli.add_typer(registers_cli, name="registers")


def _year(value: int) -> int:
    if not 2004 <= value <= 2100:
        die(f"年份须在 2004–2100 之间：{value}")
    return value


def tally_cmd(
    year: int = typer.Argument(..., help="年份（上海时区的自然年）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（结构见 docs/tally-schema.md）"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """统计一年的各项数据（门户、公众号、互动、依申请公开、复议诉讼）。"""
    from annual.tally import tally

    with cli_session() as s:
        data = tally(s, org_id=accounts.get_org(s, code=org).id, year=_year(year))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    items, apps = data["items"], data["applications"]
    rate = "—" if apps["on_time_rate"] is None else f"{apps['on_time_rate'] * 100:.1f}%"
    typer.echo(f"{data['org']['name']} {year} 年统计" + ("（本年度无数据）" if data["empty"] else ""))
    typer.echo(f"门户网站发布 {items['portal']['total']} 条；公众号 {items['mp']['total']} 条"
               f"（原创 {items['mp']['original']}，转载 {items['mp']['repost']}）")
    typer.echo(f"依申请公开信息 {items['on_application']} 条；全文公开 {items['full_text']} 条")
    typer.echo(f"政府信息公开申请：新收 {apps['new']['total']}，上年结转 {apps['carried_in']['total']}，"
               f"办结 {apps['closed']['total']}，结转下年 {apps['carried_out']['total']}，按时答复率 {rate}")


def report_cmd(
    year: int = typer.Argument(..., help="年份"),
    layout: str | None = typer.Option(None, "--layout", help="格式：2021（现行）或 2019（试行）"),
    fmt: str = typer.Option("docx", "--format", help="docx | html | md | json"),
    out: Path = typer.Option(..., "--out", help="输出文件"),
    strict: bool = typer.Option(False, "--strict", help="有勾稽关系错误时拒绝生成"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """生成政府信息公开工作年度报告。"""
    from annual.report import render
    from annual.report.build import build_report
    from annual.report.text_render import FORMATS

    if fmt not in FORMATS:
        die(f"未知的输出格式：{fmt}（可选：{'、'.join(FORMATS)}）")
    if layout is not None and layout not in ("2021", "2019"):
        die(f"未知的报告格式：{layout}（可选：2021、2019）")
    with cli_session() as s:
        report = build_report(s, org_id=accounts.get_org(s, code=org).id, year=_year(year), layout=layout)
    for issue in report["errors"]:
        typer.echo(f"错误：{issue['message']}（{issue['cell']}）", err=True)
    for issue in report["warnings"]:
        typer.echo(f"提示：{issue['message']}（{issue['cell']}）", err=True)
    if strict and report["errors"]:
        die(f"报告有 {len(report['errors'])} 处勾稽关系错误，未生成（去掉 --strict 可生成带错误标注的草稿）")
    try:
        out.write_bytes(render(report, fmt))
    except OSError as exc:
        die(f"无法写入 {out}：{exc.strerror}")
    note = "（本年度无数据，已生成空报告）" if report["empty"] else ""
    typer.echo(f"已生成 {out}（{report['layout']} 格式，{fmt}）{note}")


def import_cmd(
    file: Path = typer.Argument(..., help="CSV 或 XLSX 文件：发布日期、渠道、栏目、目录领域、来源、标题、链接"),
    department: str | None = typer.Option(None, "--department", help="归属部门（默认第一个部门）"),
    user: str | None = typer.Option(None, "--user", help="导入人账号（默认第一个管理员）"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """导入启用 gongkai 之前发布的历史信息（全部成功或全部不导入）。"""
    from content.importer import import_file

    if not file.exists():
        die(f"文件不存在：{file}")
    with cli_session() as s, progress("导入历史稿件") as advance:
        try:
            count = import_file(s, org_id=accounts.get_org(s, code=org).id, path=file, department=department,
                                login=user, tick=advance)
        except DomainError as exc:
            s.rollback()
            for row in exc.data.get("rows", []):
                typer.echo(f"第 {row['row']} 行：{row['reason']}", err=True)
            die(exc.message)
    typer.echo(f"已导入 {count} 条历史信息")


def export_cmd(
    period: str = typer.Argument(..., help="YYYY 或 YYYY-MM"),
    out: Path | None = typer.Option(None, "--out", help="ZIP 文件（默认 gongkai-export-期间.zip）"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """两馆移交：导出一个时期内全部已发布信息（网页、图片、附件和索引表）。"""
    from annual.export import export_zip

    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", period)
    if not m or not (m.group(2) is None or 1 <= int(m.group(2)) <= 12):
        die(f"期间格式应为 YYYY 或 YYYY-MM：{period}")
    year, month = _year(int(m.group(1))), int(m.group(2)) if m.group(2) else None
    target = out or Path(f"gongkai-export-{period}.zip")
    from content.files import backend_from_settings
    from content.settings import Settings

    settings = Settings()
    with cli_session(settings) as s, progress(f"导出 {period}") as advance:
        count = export_zip(s, org_id=accounts.get_org(s, code=org).id, year=year, month=month, out=target,
                           tick=advance, files=backend_from_settings(settings))
    typer.echo(f"已导出 {count} 条信息到 {target}")


def figures_cmd(
    year: int = typer.Argument(..., help="年份"),
    values: list[str] = typer.Argument(None, help="单元格=数值，如 t2.rules.made=2（不填则列出已录入的数值）"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """录入或查看表二（第二十条）中没有台账来源的数据。"""
    from annual.registers.store import get_annual_figures, set_annual_figures

    with cli_session() as s:
        org_id = accounts.get_org(s, code=org).id
        if values:
            pairs = {}
            for pair in values:
                code, sep, value = pair.partition("=")
                if not sep:
                    die(f"应为 单元格=数值：{pair}")
                pairs[code.strip()] = value.strip() or None
            set_annual_figures(s, org_id=org_id, year=_year(year), actor=None, figures=pairs)
        figures = get_annual_figures(s, org_id=org_id, year=year)
    for code, value in sorted(figures.items()):
        typer.echo(f"{code}\t{value}")


@holidays_cli.command("add")
def holidays_add(
    year: int = typer.Argument(..., help="年份"),
    holidays: str = typer.Option(..., "--holidays", help="放假日期，如 2027-01-01,2027-02-05..2027-02-11"),
    workdays: str = typer.Option("", "--workdays", help="调休上班日期，如 2027-02-14,2027-02-20"),
    source: str = typer.Option("", "--source", help="依据，如 国务院办公厅通知文号"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """录入某年的节假日安排（覆盖该年已录入的内容），并重算受影响的答复期限。"""
    from annual.registers.holidays import set_holiday_year
    from annual.workdays import parse_days

    with cli_session() as s:
        changed = set_holiday_year(s, org_id=accounts.get_org(s, code=org).id, year=year,
                                   holidays=parse_days(holidays), workdays=parse_days(workdays), source=source)
    typer.echo(f"已录入 {year} 年节假日安排，重算答复期限 {changed} 件")


@holidays_cli.command("list")
def holidays_list(org: str | None = typer.Option(None, "--org", help="机构代码")) -> None:
    """列出已知的年份：chinese_calendar 收录的和管理员录入的，以及缺失的年份。"""
    from annual.registers.holidays import holiday_years, missing_years
    from annual.workdays import PACKAGE_YEARS

    with cli_session() as s:
        org_id = accounts.get_org(s, code=org).id
        years, missing = holiday_years(s, org_id=org_id), missing_years(s, org_id=org_id)
    typer.echo(f"chinese_calendar 收录：{PACKAGE_YEARS.start}–{PACKAGE_YEARS.stop - 1} 年")
    for y in years:
        typer.echo(f"{y['year']} 年（录入）：放假 {len(y['holidays'])} 天，调休上班 {len(y['workdays'])} 天 {y['source']}")
    this_year = date.today().year
    if missing:
        typer.echo(f"缺少节假日安排：{'、'.join(map(str, missing))} 年（相关答复期限为暂定）")
    elif not any(y["year"] == this_year + 1 for y in years) and this_year + 1 not in PACKAGE_YEARS:
        typer.echo(f"提示：{this_year + 1} 年的节假日安排尚未录入")


@registers_cli.command("import")
def registers_import(
    kind: str = typer.Argument(..., help="applications | interactions | appeals"),
    file: Path = typer.Argument(..., help="CSV 或 XLSX 文件，第一行为表头（见 docs/tally-schema.md）"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """导入已有台账（全部成功或全部不导入）。"""
    from annual.registers.bulk import import_register

    if not file.exists():
        die(f"文件不存在：{file}")
    with cli_session() as s:
        try:
            count = import_register(s, org_id=accounts.get_org(s, code=org).id, kind=kind, path=file)
        except DomainError as exc:
            s.rollback()
            for row in exc.data.get("rows", []):
                typer.echo(f"第 {row['row']} 行：{row['reason']}", err=True)
            die(exc.message)
    typer.echo(f"已导入 {count} 条台账记录")
