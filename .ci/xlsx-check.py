#!/usr/bin/env python3
"""Read workshop.xlsx back with openpyxl: the expected sheets, one row per app / finding / wave
plus the header (counts from report.json of the same folder), frozen and filtered headers, no
formula cell anywhere, counts stored as numbers, and the Decisions sheet's workshop columns with
a drop-down list of strategies.

Usage: xlsx-check.py OUT_DIR
"""
import json
import sys
from pathlib import Path

import openpyxl

out = Path(sys.argv[1])
report = json.loads((out / "report.json").read_text())
wb = openpyxl.load_workbook(out / "workshop.xlsx")
expected_sheets = ["Summary", "Apps", "Findings", "Waves", "Decisions", "Freeze windows",
                   "Coupled groups", "Owners and notes", "Not carried over", "Warnings and notes",
                   "Unreadable files"]
failures = []
if wb.sheetnames != expected_sheets:
    failures.append(f"sheets {wb.sheetnames}, expected {expected_sheets}")
expected_rows = {
    "Apps": len(report["apps"]) + 1,
    "Findings": len(report["findings"]) + 1,
    "Waves": len(report["waves"]) + 1,
    "Decisions": len(report["apps"]) + 1,
}
for name in wb.sheetnames:
    ws = wb[name]
    print(f"{name}: {ws.max_row} rows x {ws.max_column} columns")
    if name in expected_rows and ws.max_row != expected_rows[name]:
        failures.append(f"{name}: {ws.max_row} rows, expected {expected_rows[name]}")
    if ws.freeze_panes != "A2":
        failures.append(f"{name}: header not frozen ({ws.freeze_panes})")
    if name != "Summary" and not ws.auto_filter.ref:
        failures.append(f"{name}: no autofilter")
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    if formulas:
        failures.append(f"{name}: formula cells {formulas[:5]}")
decisions = wb["Decisions"]
columns = [c.value for c in decisions[1]]
for wanted in ["app", "strategy", "strategy reason", "owner", "criticality", "decided by", "date", "notes"]:
    if wanted not in columns:
        failures.append(f"Decisions: no {wanted!r} column")
lists = [dv for dv in decisions.data_validations.dataValidation if dv.type == "list"]
if not any("side-by-side" in (dv.formula1 or "") for dv in lists):
    failures.append("Decisions: no drop-down list of strategies")
for name in ["Apps", "Findings", "Waves", "Decisions"]:
    ws = wb[name]
    if ws.page_setup.orientation != "landscape" or not ws.sheet_properties.pageSetUpPr.fitToPage:
        failures.append(f"{name}: not landscape and fit to the page width")
    if ws.print_title_rows != "$1:$1":
        failures.append(f"{name}: the header row does not repeat on printed pages")
waves = wb["Waves"]
start = [c.value for c in waves[1]].index("start") + 1
if not all(type(waves.cell(r, start).value).__name__ == "datetime" for r in range(2, waves.max_row + 1)):
    failures.append("Waves: start is not stored as dates")
if not wb["Findings"].conditional_formatting:
    failures.append("Findings: severities have no colour")
apps = wb["Apps"]
header = [c.value for c in apps[1]]
for name in ["wave", "findings"]:
    col = header.index(name) + 1
    kinds = {type(apps.cell(r, col).value).__name__ for r in range(2, apps.max_row + 1)} - {"NoneType"}
    if kinds != {"int"}:
        failures.append(f"Apps: column {name!r} holds {sorted(kinds)}, not numbers")
if failures:
    print("xlsx-check: " + "; ".join(failures), file=sys.stderr)
    sys.exit(1)
print("xlsx-check: ok")
