"""A one-file HTML page of a session report, for people: sides, balance, a fault timeline and a
snapshot of the moment each fault began. Self-contained (inline SVG and JPEG), no scripts."""

from __future__ import annotations

import base64
import html
from collections.abc import Collection

from coach.session.frame import side_name
from coach.session.report import AutoReport, Report, RoutineReport, StepSide, StepTarget

SIDE_COLOURS = {"left": "#3e63dd", "right": "#30a46c", "both": "#12a594"}
FAULT_COLOURS = ["#e5484d", "#f76b15", "#d6409f", "#8e4ec6", "#0090ff", "#12a594"]


def _t(s: float) -> str:
    s = max(0.0, s)
    return f"{int(s // 60)}:{s % 60:04.1f}"


def _bar(left: float, right: float, imbalanced: bool) -> str:
    total = left + right
    frac = left / total if total else 0.5
    colour = "#f5a524" if imbalanced else "#30a46c"
    return (f'<svg viewBox="0 0 300 18" class="bar"><rect width="300" height="18" rx="4" '
            f'fill="#e6e6e6"/><rect width="{300 * frac:.1f}" height="18" rx="4" fill="{colour}"/>'
            f'<line x1="150" x2="150" y1="0" y2="18" stroke="#333" stroke-width="1.5"/></svg>')


def _check_titles(report: Report) -> dict[str, str]:
    """Each check's title in the exercise's definition (what the live screen shows), or its
    name if the definition cannot be read here."""
    from coach.rules.definitions import find_exercise

    try:
        titles = {c.name: c.title for c in find_exercise(report.exercise).checks}
    except Exception:  # noqa: BLE001 - a page is still written, with the names
        titles = {}
    return {c: titles.get(c, c.replace("_", " ")) for c in report.checks}


def _timeline(report: Report, titles: dict[str, str]) -> str:
    dur = max(report.duration_s, 1e-6)
    checks = list(report.checks)
    rows = ["in position"] + checks
    longest = max((len(titles.get(c, c)) for c in rows), default=0)
    # the labels' column as wide as the longest (about 6.6 px a character at 12 px)
    w, left, row_h = 760, round(min(300, max(130, 14 + 6.6 * longest))), 26
    h = row_h * len(rows) + 24
    x = lambda t: left + (w - left - 10) * min(max(t, 0.0), dur) / dur  # noqa: E731
    out = [f'<svg viewBox="0 0 {w} {h}" class="timeline">']
    for i, name in enumerate(rows):
        y = i * row_h + 4
        out.append(f'<text x="0" y="{y + 16}" class="lbl">{html.escape(titles.get(name, name))}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{w - left - 10}" height="{row_h - 8}" '
                   f'fill="#f3f3f3"/>')
    for seg in report.in_position:
        colour = SIDE_COLOURS.get(seg.side, SIDE_COLOURS["both"])
        out.append(f'<rect x="{x(seg.start_s):.1f}" y="8" width="'
                   f'{max(1.0, x(seg.end_s) - x(seg.start_s)):.1f}" height="{row_h - 8}" '
                   f'fill="{colour}"><title>{html.escape(side_name(seg.side))}: {_t(seg.start_s)}-'
                   f'{_t(seg.end_s)}</title></rect>')
    for ev in report.events:
        i = rows.index(ev.check) if ev.check in rows else 0
        colour = FAULT_COLOURS[checks.index(ev.check) % len(FAULT_COLOURS)]
        y = i * row_h + 8
        out.append(f'<rect x="{x(ev.start_s):.1f}" y="{y}" width="'
                   f'{max(2.0, x(ev.end_s) - x(ev.start_s)):.1f}" height="{row_h - 8}" '
                   f'fill="{colour}"><title>{html.escape(ev.message)}</title></rect>')
    step = max(1, int(dur // 8) or 1)
    for k in range(0, int(dur) + 1, step):
        if k > dur - step / 2 and k:  # keep the last label inside the picture
            continue
        out.append(f'<text x="{x(k):.1f}" y="{h - 4}" class="tick">{_t(k)}</text>')
    out.append("</svg>")
    return "".join(out)


STYLE = """<style>
body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:800px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 4px} .sub{color:#666;margin:0 0 18px}
table{border-collapse:collapse;margin:8px 0 4px} td,th{padding:4px 14px 4px 0;text-align:left}
thead th{color:#666;font-weight:500;border-bottom:1px solid #ddd}
.bar{width:300px;height:18px;vertical-align:middle} .timeline{width:100%;margin:6px 0 10px}
.lbl{font-size:12px;fill:#444} .tick{font-size:11px;fill:#888}
.event{display:flex;gap:12px;align-items:flex-start;margin:10px 0;padding-bottom:10px;
border-bottom:1px solid #eee} .event img{width:240px;border-radius:4px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
section{margin-top:28px;border-top:2px solid #ddd}
</style>"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title>\n{STYLE}</head><body>\n{body}</body></html>\n")


def render_html(report: Report, snapshots: dict[tuple[str, float], bytes]) -> str:
    """The page for ``report``. ``snapshots`` maps (check, start_s) to a JPEG of that moment."""
    return _page(f"{report.title} report", _section(report, snapshots))


def render_auto_html(report: AutoReport, snapshots: dict[tuple[str, float], bytes]) -> str:
    """The page of a session of several stretches: the routine's steps (if scored against one),
    what was recognised when (a recording), then each stretch's own section."""
    e = html.escape
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes)
    head = ""
    if report.routine is not None:
        head += _routine(report.routine, report)
    if report.mode == "auto":
        def title(stretch: str) -> str:
            r = report.exercises.get(stretch)
            return r.title if r is not None else stretch.replace("_", " ")

        rows = "".join(f"<tr><td>{_t(s.start_s)}–{_t(s.end_s)}</td><td>{e(title(s.stretch))}</td>"
                       f"<td>{e(s.side or '-')}</td><td>{s.confidence:.0%}</td></tr>"
                       for s in report.segments)
        head += (f"<h1>Stretches recognised</h1><p class=\"sub\">{e(report.source)} · "
                 f"{report.frames} frames · {_t(report.duration_s)}</p><table><thead><tr>"
                 f"<th>when</th><th>stretch</th><th>side</th><th>sure</th></tr></thead><tbody>"
                 f"{rows}</tbody></table>")
    head += f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    parts = [f"<section>{_section(r, snapshots, said=set(report.notes))}</section>"
             for r in report.exercises.values()]
    title = f"{report.routine.title}: routine report" if report.routine else "Stretch session report"
    return _page(title, head + "".join(parts))


def _held(v: StepSide, tg: StepTarget) -> str:
    if tg.reps is not None:
        return f"{v.reps} reps"
    return f"{v.breaths} breaths ({v.hold_s:.1f} s)" if tg.breaths else f"{v.hold_s:.1f} s"


STATUS_COLOURS = {"done": "#30a46c", "partial": "#f5a524", "missing": "#e5484d", "skipped": "#888"}


def _routine(r: RoutineReport, report: AutoReport) -> str:
    """The routine's steps in order: found or not, held per side against the target, faults;
    and the verdict, complete only when every step is done."""
    e = html.escape
    rows = []
    for s in r.steps:
        tg = s.target
        want = (f"{tg.reps} reps" if tg.reps is not None else
                f"{tg.hold_s:g} s" + (f" ({tg.breaths} breaths)" if tg.breaths else ""))
        held = "<br>".join(f"{e(side_name(k))}: {_held(v, tg)}{' ✓' if v.met else ''}"
                           for k, v in s.held.items()) or "–"
        when = f"{_t(s.start_s)}–{_t(s.end_s or s.start_s)}" if s.start_s is not None else "–"
        faults = "<br>".join(f"{e(f.check)} ({e(f.side or '-')}, {_t(f.start_s)})"
                             for f in s.faults) or "none"
        colour = STATUS_COLOURS[s.status]
        rows.append(f"<tr><td>{s.index}</td><td>{e(s.title)}<br><code>{e(s.exercise)}</code></td>"
                    f"<td><b style=\"color:{colour}\">{s.status}</b>"
                    f"{'<br>' + e(s.why) if s.why else ''}</td><td>{when}</td>"
                    f"<td>{e(s.sides)}: {want}</td><td>{held}</td><td>{faults}</td></tr>")
    colour = STATUS_COLOURS["done" if r.verdict == "complete" else "missing"]
    return (f"<h1>Routine: {e(r.title)}</h1><p class=\"sub\">{e(report.source)} · "
            f"{report.frames} frames · {_t(report.duration_s)}</p>"
            f"<p>Verdict: <b style=\"color:{colour}\">{r.verdict}</b> · {r.steps_done} of "
            f"{len(r.steps)} steps done</p><table><thead><tr><th>#</th><th>stretch</th>"
            f"<th>status</th><th>when</th><th>target</th><th>held</th><th>faults</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _section(report: Report, snapshots: dict[tuple[str, float], bytes],
             said: Collection[str] = ()) -> str:
    """One stretch's report; ``said``: notes the page already shows above (not repeated)."""
    e = html.escape
    sides, tg, bal = report.sides, report.targets, report.balance
    rep_label = tg.rep_label
    rows = []
    for s in sides:
        reps = f"<td>{sides[s].reps} / {tg.reps}</td>" if rep_label else ""
        reps += f"<td>{sides[s].breaths} / {tg.breaths}</td>" if tg.breaths else ""
        rows.append(f"<tr><th>{s.capitalize()}</th><td>{sides[s].hold_s:.1f} s</td>"
                    f"<td>{sides[s].best_hold_s:.1f} s</td><td>{sides[s].fault_s:.1f} s</td>"
                    f"{reps}</tr>")
    rep_head = f"<th>{e(rep_label)}</th>" if rep_label else ""
    rep_head += "<th>breaths</th>" if tg.breaths else ""
    titles = _check_titles(report)
    events = []
    for ev in report.events:
        img = snapshots.get((ev.check, ev.start_s))
        tag = (f'<img alt="moment the fault began" src="data:image/jpeg;base64,'
               f'{base64.b64encode(img).decode()}">' if img else "")
        side = side_name(ev.side) if ev.side else "no side"
        events.append(f'<div class="event">{tag}<div><b>{_t(ev.start_s)}–{_t(ev.end_s)}'
                      f'</b> · {e(side)} · {e(titles.get(ev.check, ev.check))} '
                      f'<code>{e(ev.check)}</code><br>'
                      f'{e(ev.message)}</div></div>')
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes if n not in said)
    sided = "left" in sides
    per_side = " per side" if sided else ""
    bar = (f"<p>L {_bar(sides['left'].hold_s, sides['right'].hold_s, bal.imbalanced)} R\n"
           f" &nbsp; {e(bal.message)}</p>" if sided else "")
    if sided:
        legend = (f'<div class="legend">in position:<span style="background:{SIDE_COLOURS["left"]}">'
                  f'</span>left<span style="background:{SIDE_COLOURS["right"]}"></span>right</div>')
    else:
        legend = (f'<div class="legend">in position:<span style="background:{SIDE_COLOURS["both"]}">'
                  f'</span>{e(side_name("both"))}</div>')
    return f"""<h1>{e(report.title)}</h1>
<p class="sub">{e(report.source)} · {report.frames} frames · {_t(report.duration_s)}
 · target {tg.hold_s:g} s{per_side}{f" and {tg.reps} {e(rep_label)}" if rep_label else ""}</p>
<h2>Time{per_side or " held"}</h2>
<table><thead><tr><th></th><th>good form</th><th>longest hold</th><th>with a fault</th>
{rep_head}</tr></thead><tbody>{''.join(rows)}</tbody></table>
{bar}
<h2>Timeline</h2>
{legend}
{_timeline(report, titles)}
<h2>Form faults ({len(report.events)})</h2>
{''.join(events) or '<p>None: good form throughout.</p>'}
{f'<h2>Notes</h2><ul>{notes}</ul>' if notes else ''}
"""
