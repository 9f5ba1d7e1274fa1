"""Lay a `TableSpec` out as a grid of cells with row/column spans (shared by the DOCX and HTML renderers).

Header paths that share a prefix merge horizontally; a path shorter than the header depth lets its last
cell reach down to the values. Row label paths merge the same way, transposed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from annual.report.layouts import TableSpec


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = True
    code: str | None = None  # value cells carry their cell code


def fmt_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def _runs(paths: list[tuple[str, ...]], level: int) -> list[tuple[int, int]]:
    """(start, length) runs of consecutive paths that share the prefix up to `level` and reach it."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(paths):
        if level >= len(paths[i]):
            i += 1
            continue
        j = i + 1
        leaf = level == len(paths[i]) - 1
        while (not leaf and j < len(paths) and len(paths[j]) > level + 1
               and paths[j][: level + 1] == paths[i][: level + 1]):
            j += 1
        runs.append((i, j - i))
        i = j
    return runs


def layout_grid(spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
    col_paths = [path for _, path in spec.columns]
    row_paths = [path for _, path in spec.rows]
    depth = max(len(p) for p in col_paths)
    n_cols = spec.label_depth + len(col_paths)
    cells: list[Cell] = []
    r0 = 0
    if spec.caption:
        cells.append(Cell(spec.caption, 0, 0, colspan=n_cols))
        r0 = 1
    if spec.label_depth:
        cells.append(Cell(spec.corner, r0, 0, rowspan=depth, colspan=spec.label_depth))
    for level in range(depth):
        for start, length in _runs(col_paths, level):
            path = col_paths[start]
            rowspan = depth - level if level == len(path) - 1 else 1
            cells.append(Cell(path[level], r0 + level, spec.label_depth + start, rowspan=rowspan, colspan=length))
    b0 = r0 + depth
    for level in range(spec.label_depth):
        for start, length in _runs(row_paths, level):
            path = row_paths[start]
            colspan = spec.label_depth - level if level == len(path) - 1 else 1
            cells.append(Cell(path[level], b0 + start, level, rowspan=length, colspan=colspan))
    for i, (row_code, _) in enumerate(spec.rows):
        for j, (col_code, _) in enumerate(spec.columns):
            code = spec.cell(row_code, col_code)
            cells.append(Cell(fmt_value(values.get(code, 0)), b0 + i, spec.label_depth + j, header=False, code=code))
    return {"rows": b0 + len(spec.rows), "cols": n_cols, "cells": [asdict(c) for c in cells]}


def occupancy(grid: dict[str, Any]) -> list[list[dict | None]]:
    """grid[r][c] = the cell starting there, or None where a span covers it."""
    out: list[list[dict | None]] = [[None] * grid["cols"] for _ in range(grid["rows"])]
    for cell in grid["cells"]:
        out[cell["row"]][cell["col"]] = cell
    return out
