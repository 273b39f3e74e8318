"""Write docs/report.schema.json, the JSON Schema of the typed report (coach.session.report).

    python scripts/report_schema.py
"""

from __future__ import annotations

from pathlib import Path

from coach.session.report import schema

OUT = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"

if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(schema(), encoding="utf-8")
    print(f"wrote {OUT}")
