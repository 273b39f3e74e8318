"""The accuracy report: docs/accuracy.md (+ docs/accuracy.json, docs/accuracy_faults.png) from
the corpus's validation part (bodies and cameras never fitted) and from samples/.

    python scripts/accuracy.py [--part val|train] [--out docs]

For every coached stretch it runs the coach (recogniser, rules, session) over the cached
landmarks of each clip and compares with the truth: in position (recall on the stretch's own
clips, false in-position time on every other clip), side, time per side, reps; per check, fault
recall and precision by fault size, onset error and how long the check could not see. A check
that cannot be judged from the camera's angle (a view gate, fitted by scripts/fit.py) says so: a
fault during which it said so for most of the time counts as "can't see" (neither found nor
missed; its share is reported next to the recall, which is on the faults it could judge). About
a minute here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import COCO_LEFT_KNEE, COCO_RIGHT_KNEE, MP_OF_COCO, Clip, clips, manifest  # noqa: E402
from train_recognizer import COACHED, UNSIDED  # noqa: E402

from coach.recognizer import Recognizer, knows, shipped_model  # noqa: E402
from coach.rules.definitions import Exercise, find_exercise  # noqa: E402
from coach.run import make_session  # noqa: E402
from coach.session import Session  # noqa: E402
from coach.session.quality import END_ON_WARNING, NOT_FROM_VIEW, Picture  # noqa: E402
from coach.session.timing import ExitDater  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RECOGNIZE = True  # False (--rules): locate with the hand-set rules, as before the recogniser
ONSET_TOL_S = 1.0
CANT_SEE_SHARE = 0.5  # of a fault's frames not judged from the view: the fault is "can't see"
BUCKETS = {"cm": [0, 3, 6, 10, 15, 1e9], "deg": [0, 5, 10, 20, 25, 40, 1e9]}


_ROWS: dict[str, list] = {}
_RECOGNIZED: dict[tuple[str, str | None], list] = {}


def recognitions(clip: Clip, focus: str | None = None) -> list:
    """The shipped recogniser's output on every frame of a clip; with ``focus``, as the coach
    asked for that exercise smooths it (``coach.recognizer.FOCUS_WEIGHT``). The model runs once
    per clip; each exercise's smoothing replays its probabilities."""
    if clip.id not in _ROWS:
        rec = Recognizer(shipped_model())
        rows = []
        for p, t in zip(clip.poses(), clip.times, strict=True):
            rec.update(p, float(t))
            rows.append(rec.row)
        _ROWS[clip.id] = rows
    if (clip.id, focus) in _RECOGNIZED:
        return _RECOGNIZED[clip.id, focus]
    rec = Recognizer(shipped_model(), focus=focus)
    out = [rec.update_row(r, float(t)) for r, t in zip(_ROWS[clip.id], clip.times, strict=True)]
    if focus is None:  # the open-set figures read it again; each exercise's once
        _RECOGNIZED[clip.id, focus] = out
    return out


def end_on_warned(clip: Clip) -> np.ndarray:
    """Per frame, whether the coach warned that the camera looked along the body (end-on):
    the session's own warning (``coach.session.quality.Picture``), which no exercise changes."""
    picture = Picture()
    out, prev = [], None
    for p, t in zip(clip.poses(), clip.times, strict=True):
        dt = 0.0 if prev is None else float(t - prev)
        prev = t
        out.append(END_ON_WARNING in picture.update(p, float(t), dt))
    return np.array(out, bool)


def side_time_errors(clip: Clip, report: dict, sided: bool) -> list[float]:
    """Each side's time in position (the report's, as JSON) against the truth's time in the
    stretch, relative and signed, for the sides held 3 s or more in the truth."""
    truth = clip.time_in_stretch(sided)
    return [(report["sides"][s]["in_position_s"] - truth[s]) / truth[s] for s in truth if truth[s] >= 3.0]


def run_session(exercise: str, clip: Clip, exits: ExitDater | None = None,
                definition: Exercise | None = None) -> dict:
    """The coach over one clip: per-frame (in position, side, check statuses, whether the view
    hid the check) and the report. ``exits``: the session's :class:`ExitDater` (default, its
    own; scripts/fit_exits.py tries others). ``definition``: the exercise's definition to use
    instead of its file's (scripts/fit_reps.py tries settings)."""
    ex = definition or find_exercise(exercise)
    first = None
    if ex.side.rule == "alternate":  # the user says which side came first (--first-side)
        first = clip.first_side
    if RECOGNIZE and knows(exercise):
        seen = iter(recognitions(clip, focus=exercise))
        session = Session(ex, first, recognize=lambda _pose, _t: next(seen), exits=exits)
    else:
        session = make_session(ex, first_side=first, recognize=False)
        if exits is not None and session.exits is not None:
            session.exits = exits
    inpos, side, status, hidden = [], [], defaultdict(list), defaultdict(list)
    for i, pose in enumerate(clip.poses()):
        st = session.update(pose, float(clip.times[i]))
        inpos.append(st.in_position)
        side.append(st.side or "")
        for v in st.verdicts:
            status[v.check].append(v.status)
            hidden[v.check].append(v.status == "idle" and v.reason == NOT_FROM_VIEW)
    session.finish()
    report = session.report(clip.id, clip.fps).model_dump(mode="json")
    return {
        "in_position": np.array(inpos),
        "side": np.array(side, object),
        "status": {k: np.array(v, object) for k, v in status.items()},
        "view_hidden": {k: np.array(v, bool) & np.array(inpos, bool) for k, v in hidden.items()},
        "report": report,
    }


def cant_see(clip: Clip, fault: dict, view_hidden: dict[str, np.ndarray]) -> bool:
    """The check said it could not judge from this view (in position) over most of the fault."""
    hid = view_hidden.get(fault["check"])
    if hid is None:
        return False
    m = (clip.times >= fault["start_s"]) & (clip.times < fault["end_s"])
    return bool(m.any()) and hid[m].mean() > CANT_SEE_SHARE


def score_faults(clip: Clip, events: list[dict], thresholds: dict, acc: dict,
                 view_hidden: dict[str, np.ndarray] | None = None) -> None:
    """Interval matching: a truth fault at or above its threshold is found when an event of the
    same check and side starts within ONSET_TOL_S of it (or inside it); an event is false when it
    overlaps no truth fault of that check that is not clean-sized. A fault the view hid (see
    ``cant_see``) is counted apart, neither found nor missed."""
    faults = clip.faults()
    for f in faults:
        th = thresholds[f["check"]]
        if cant_see(clip, f, view_hidden or {}):
            if f["size"] >= th["fault"]:
                acc["cant_see"][f["check"]] += 1
            continue
        b = acc["by_size"][f["check"]]
        edges = BUCKETS[th["unit"]]
        k = max(0, int(np.searchsorted(edges, f["size"], side="right") - 1))  # below 0: smallest
        label = f"{edges[k]:g}-{edges[k + 1]:g}" if edges[k + 1] < 1e8 else f">={edges[k]:g}"
        hit = [
            e
            for e in events
            if e["check"] == f["check"]
            and e["side"] in (f["side"], "both")  # "both": a stretch without sides
            and f["start_s"] - ONSET_TOL_S <= e["start_s"] <= f["end_s"]
        ]
        b[label][0] += bool(hit)
        b[label][1] += 1
        if f["size"] >= th["fault"]:
            acc["n_faults"][f["check"]] += 1
            if hit:
                acc["found"][f["check"]] += 1
                acc["onset"][f["check"]].append(hit[0]["start_s"] - f["start_s"])
    for e in events:
        near = [
            f
            for f in faults
            if f["check"] == e["check"]
            and f["start_s"] - ONSET_TOL_S <= e["start_s"] <= f["end_s"] + ONSET_TOL_S
        ]
        if any(f["size"] >= thresholds[f["check"]]["fault"] for f in near):
            acc["true_events"][e["check"]] += 1
        elif any(f["size"] >= thresholds[f["check"]]["clean"] for f in near):
            continue  # a fault between clean and fault size: not scored either way
        else:
            acc["false_events"][e["check"]] += 1
            if not faults:
                acc["false_on_clean_clips"][e["check"]] += 1


def reps_exact(sides: dict, reps: dict[str, int], leans_back: dict[str, int]) -> bool:
    """Whether a report's sides (report.json's ``sides``) counted every side's reps as the truth
    has them, and pigeon's leans back too where the report counts them (``counts``)."""
    both = ("left", "right")
    return all(sides[s]["reps"] == reps[s] for s in both) and all(
        sides[s].get("counts", {}).get("leans_back", leans_back[s]) == leans_back[s] for s in both)


def evaluate_stretch(exercise: str, part: list[Clip], thresholds: dict) -> dict:
    own = [c for c in part if c.kind == exercise]
    others = [c for c in part if c.kind != exercise]
    acc: dict = {
        "by_size": defaultdict(lambda: defaultdict(lambda: [0, 0])),
        "n_faults": defaultdict(int),
        "found": defaultdict(int),
        "onset": defaultdict(list),
        "true_events": defaultdict(int),
        "false_events": defaultdict(int),
        "false_on_clean_clips": defaultdict(int),
        "cant_see": defaultdict(int),
    }
    held = held_in = side_n = side_ok = 0
    time_err, reps_ok, reps_n = [], 0, 0
    unseen: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))  # unseen, hidden by the view, of
    sided = find_exercise(exercise).sided
    for clip in own:
        r = run_session(exercise, clip)
        lab = clip.labels
        want = (lab["stretch"] == exercise) & lab["scored"]
        held += int(want.sum())
        held_in += int((want & r["in_position"]).sum())
        both = want & r["in_position"]
        side_n += int(both.sum())
        true_side = lab["side"] if sided else np.full(clip.n, "both", object)
        side_ok += int((both & (r["side"] == true_side)).sum())
        time_err += [abs(e) for e in side_time_errors(clip, r["report"], sided)]
        if r["report"]["targets"]["reps"] is not None:
            reps_n += 1
            reps_ok += reps_exact(r["report"]["sides"], clip.reps(), clip.leans_back())
        score_faults(clip, r["report"]["events"], thresholds, acc, r["view_hidden"])
        for check, st in r["status"].items():
            hid = r["view_hidden"][check]
            applies = (r["in_position"] & (st != "idle")) | hid  # in position, its other `when` holding
            unseen[check][clip.view][0] += int((applies & (st == "unseen")).sum())
            unseen[check][clip.view][1] += int(hid.sum())
            unseen[check][clip.view][2] += int(applies.sum())
    false_in = false_n = 0
    false_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for clip in others:
        r = run_session(exercise, clip)
        scored = clip.labels["scored"] & (clip.labels["stretch"] != exercise)  # c1's named postures
        key = clip.kind if clip.kind != "none" else "negatives"
        false_by[key][0] += int((r["in_position"] & scored).sum())
        false_by[key][1] += int(scored.sum())
        false_in += int((r["in_position"] & scored).sum())
        false_n += int(scored.sum())
    return {
        "clips": len(own),
        "in_position_recall": _ratio(held_in, held),
        "held_frames": held,
        "false_in_position": _ratio(false_in, false_n),
        "other_frames": false_n,
        "false_in_position_by": {k: _ratio(*v) for k, v in false_by.items()},
        "side_right": _ratio(side_ok, side_n),
        "time_per_side_error_median": round(float(np.median(time_err)), 3) if time_err else None,
        "time_per_side_within_10pct": _ratio(sum(e <= 0.10 for e in time_err), len(time_err)),
        "reps_exact": _ratio(reps_ok, reps_n) if reps_n else None,
        "checks": {
            c: {
                "recall": _ratio(acc["found"][c], acc["n_faults"][c]),
                "faults": acc["n_faults"][c],
                "faults_cant_see": acc["cant_see"][c],
                "cant_see_share": _ratio(acc["cant_see"][c], acc["cant_see"][c] + acc["n_faults"][c]),
                "precision": _ratio(acc["true_events"][c], acc["true_events"][c] + acc["false_events"][c]),
                "false_events": acc["false_events"][c],
                "false_on_clean_clips": acc["false_on_clean_clips"][c],
                "onset_median_s": round(float(np.median(acc["onset"][c])), 2) if acc["onset"][c] else None,
                "onset_within_1s": _ratio(sum(abs(o) <= 1.0 for o in acc["onset"][c]), len(acc["onset"][c])),
                "by_size": {k: v for k, v in sorted(acc["by_size"][c].items(), key=lambda kv: _lo(kv[0]))},
                # could not see (landmarks or the view), and the view's part of it
                "unseen_by_view": {v: _ratio(n[0] + n[1], n[2]) for v, n in sorted(unseen[c].items())},
                "view_hidden_by_view": {v: _ratio(n[1], n[2]) for v, n in sorted(unseen[c].items())},
                "cant_judge": _ratio(sum(n[0] + n[1] for n in unseen[c].values()),
                                     sum(n[2] for n in unseen[c].values())),
            }
            for c in sorted(set(acc["n_faults"]) | set(acc["by_size"]) | set(unseen))
        },
    }


def _lo(label: str) -> float:
    return float(label.lstrip(">=").split("-")[0])


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def markdown(fig: dict) -> str:
    m = fig["corpus"]
    out = [
        "# Accuracy",
        "",
        "Generated by `scripts/accuracy.py` from the rendered corpus (`corpus/`, version "
        f"`{m['version']}`). Every figure below is on the **{fig['part']}** part: "
        f"{m['clips']} clips, {m['frames']} frames, {m['bodies']} bodies and {m['cameras']} camera "
        "placements that no threshold or model was fitted on (the split is stored in "
        "`corpus/manifest.json`). Faults are scored by their true size: at or above the `fault` "
        "size a fault must be found, under the `clean` size nothing may be flagged, in between "
        "nothing is scored (thresholds and reasons in `corpus/README.md`).",
        "",
    ]
    out += [
        f"The coach located each stretch with the {fig.get('located_by', 'recogniser')}"
        + (
            f"; figures in brackets ('was') are the baseline run ({fig['baseline'].get('located_by')}, "
            f"{fig.get('baseline_is', 'thresholds as they were before fitting')}) on the same clips."
            if "baseline" in fig
            else "."
        ),
        "",
    ]
    if "recogniser" in fig:
        out += recogniser_markdown(fig["recogniser"])
    out += [
        "## Each stretch (coach with `--exercise NAME`)",
        "",
        "| stretch | clips | in position (recall) | false in position | side right "
        "| time per side within 10 % | reps exact |",
        "|---|---|---|---|---|---|---|",
    ]
    base = fig.get("baseline", {}).get("stretches", {})
    for ex, s in fig["stretches"].items():
        b = base.get(ex, {})

        def v(key: str, s=s, b=b) -> str:
            return pct(s[key]) + (f" (was {pct(b[key])})" if key in b else "")

        out.append(
            f"| {ex} | {s['clips']} | {v('in_position_recall')} | {v('false_in_position')} | "
            f"{v('side_right')} | {v('time_per_side_within_10pct')} | {v('reps_exact')} |"
        )
    out += ["", "False in position, by what the other clips show:", ""]
    for ex, s in fig["stretches"].items():
        parts = ", ".join(f"{k} {pct(v)}" for k, v in s["false_in_position_by"].items())
        out.append(f"- {ex}: {parts}")
    out += [
        "",
        "## Each check",
        "",
        "Recall is on the faults the check could judge; a fault during which the check said it "
        "could not judge from the camera's angle (most of its in-position frames) is counted under "
        "'can't see' instead (neither found nor missed). 'Can't judge' is the share of the "
        "in-position time the check applies to that it could not judge (landmarks not seen, or the "
        "view); by view below. A check marked *reminder* is not judged: the coach says its cue in "
        "each hold and never flags it (its definition's `advisory` says why), so it finds nothing.",
        "",
        "| stretch | check | faults at or above size | recall | can't see | precision "
        "| false flags on clean clips | onset within 1 s | median onset error | can't judge |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ex, s in fig["stretches"].items():
        for c, v in s["checks"].items():
            was = base.get(ex, {}).get("checks", {}).get(c)
            if was:
                v = {
                    **v,
                    "recall_txt": f"{pct(v['recall'])} (was {pct(was['recall'])})",
                    "precision_txt": f"{pct(v['precision'])} (was {pct(was['precision'])})",
                }
            onset = "n/a" if v["onset_median_s"] is None else f"{v['onset_median_s']:+.2f} s"
            cant = v.get("faults_cant_see", 0)
            cant_txt = f"{cant} ({pct(v.get('cant_see_share'))})" if cant else "0"
            name = c + (" (*reminder*)" if any(k.name == c and k.advisory for k in find_exercise(ex).checks)
                        else "")
            out.append(
                f"| {ex} | {name} | {v['faults']} | {v.get('recall_txt', pct(v['recall']))} | {cant_txt} | "
                f"{v.get('precision_txt', pct(v['precision']))} | "
                f"{v['false_on_clean_clips']} | {pct(v['onset_within_1s'])} | {onset} | "
                f"{pct(v.get('cant_judge'))} |"
            )
    out += ["", "Found / faults, by true size (`cm` for hips, degrees otherwise):", ""]
    for ex, s in fig["stretches"].items():
        for c, v in s["checks"].items():
            sizes = ", ".join(f"{k}: {a}/{b}" for k, (a, b) in v["by_size"].items())
            out.append(f"- {ex} {c}: {sizes or 'none in this part'}")
    out += ["", "How often each check could not see (of the in-position time it applies to), by view; "
            "in brackets the part where the view itself hid it (its view gate):", ""]
    for ex, s in fig["stretches"].items():
        for c, v in s["checks"].items():
            hid = v.get("view_hidden_by_view", {})
            views = ", ".join(f"{k} {pct(x)}" + (f" ({pct(hid[k])})" if hid.get(k) else "")
                              for k, x in v["unseen_by_view"].items())
            out.append(f"- {ex} {c}: {views}")
    if fig.get("samples"):
        sm = fig["samples"]
        out += [
            "",
            f"## The {sm['total']} samples (`samples/`)",
            "",
            "The end-to-end samples (the first three stretches: other renders, 15 fps, 640x480, "
            "with shadows; the ten others: corpus clips, see `samples/README.md`), as "
            f"`scripts/evaluate.py` scores them (tolerances in `tests/test_e2e.py`): "
            f"{sm['agree']} of {sm['total']} agree.",
            "",
            "```",
            *sm["lines"],
            "```",
        ]
    if fig.get("plot"):
        out += ["", f"![fault recall by size]({fig['plot']})", ""]
    return "\n".join(out) + "\n"


# How far the pose model's skeleton lay from the truth (Clip.skeleton_error, torso lengths)
SKELETON_BUCKETS = ("under 0.15", "0.15-0.3", "0.3-0.5", "0.5 or more", "nobody found")


def skeleton_bucket(err: float) -> str:
    if np.isnan(err):
        return SKELETON_BUCKETS[-1]
    return SKELETON_BUCKETS[0 if err < 0.15 else 1 if err < 0.3 else 2 if err < 0.5 else 3]


class RecognitionTally:
    """Frames recognised against the truth, added up clip by clip on scored frames: the
    recogniser's figures (``evaluate_recognizer``, and ``scripts/rate_check.py`` at other frame
    rates)."""

    def __init__(self) -> None:
        self.conf: dict = defaultdict(lambda: defaultdict(int))
        self.by_view: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.held: dict = defaultdict(lambda: [0, 0])
        # by how far the pose model's skeleton was from the truth, and by whether the coach warned
        # that it filmed end-on: [stretch right, stretch frames, none right on negatives, negative
        # frames, stretch frames with a skeleton more than 0.3 torso lengths off, stretch frames
        # with a skeleton (a person found)]
        self.by_skeleton: dict = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
        self.by_end_on: dict = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
        self.stretch_ok = self.stretch_n = self.none_ok = self.none_n = self.switches = 0
        self.hold_s = 0.0
        # negatives by what the person was doing ([none right, frames]), and per posture held,
        # what it was taken for
        self.none_by_phase: dict = defaultdict(lambda: [0, 0])
        self.none_posture: dict = defaultdict(lambda: defaultdict(int))
        self.none_moving: dict = defaultdict(int)  # what moving between postures was taken for

    def add(self, clip: Clip, got: list[str], end_on: np.ndarray | None = None) -> float:
        """One clip's recognised labels, frame by frame (``Recognition.label``: 'none' or
        'stretch[:side]'); returns the share of its scored frames recognised right. ``end_on``:
        per frame, whether the coach warned that it filmed end-on."""
        ok = n = 0
        err = clip.skeleton_error
        skeleton = [skeleton_bucket(e) for e in err]
        labels = clip.labels
        for i, want in enumerate(clip.recognition_labels(UNSIDED)):
            if not want:
                continue
            n += 1
            ok += got[i] == want
            self.conf[want][got[i]] += 1
            groups = [self.by_skeleton[skeleton[i]]]
            if end_on is not None:
                groups.append(self.by_end_on["warned" if end_on[i] else "not warned"])
            if want == "none":
                if clip.kind == "none":
                    self.none_n += 1
                    self.none_ok += got[i] == "none"
                    for g in groups:
                        g[2] += got[i] == "none"
                        g[3] += 1
                    held = labels["phase"][i] != "transition"
                    tally = self.none_by_phase["holding a posture" if held else "moving between postures"]
                    tally[0] += got[i] == "none"
                    tally[1] += 1
                    if held:
                        self.none_posture[str(labels["posture"][i])][got[i].split(":")[0]] += 1
                    else:
                        self.none_moving[got[i].split(":")[0]] += 1
                continue
            stretch = want.split(":")[0]
            self.stretch_n += 1
            self.stretch_ok += got[i] == want
            for g in groups:
                g[0] += got[i] == want
                g[1] += 1
                g[4] += bool(err[i] > 0.3)
                g[5] += not np.isnan(err[i])
            self.by_view[clip.view][stretch][0] += got[i] == want
            self.by_view[clip.view][stretch][1] += 1
            self.held[stretch][0] += got[i].split(":")[0] == stretch
            self.held[stretch][1] += 1
        # spurious side switches: the recognised side changing inside a one-sided stretch run
        for a, b in _runs(clip.labels):
            sides = [g.split(":")[1] for g in got[a:b] if ":" in g]
            self.switches += sum(1 for x, y in zip(sides, sides[1:], strict=False) if x != y)
            self.hold_s += (b - a) / clip.fps
        return ok / max(n, 1)

    def in_position(self) -> float | None:
        """Of the frames in a stretch, the share where that stretch was named (either side)."""
        return _ratio(sum(v[0] for v in self.held.values()), self.stretch_n)

    def figures(self) -> dict:
        return {
            "stretch_side_right": _ratio(self.stretch_ok, self.stretch_n),
            "stretch_frames": self.stretch_n,
            "none_right_on_negatives": _ratio(self.none_ok, self.none_n),
            "negative_frames": self.none_n,
            "in_position_recall": {k: _ratio(*v) for k, v in sorted(self.held.items())},
            "side_switches_per_10_min": round(600 * self.switches / self.hold_s, 2) if self.hold_s else None,
            "side_switches": self.switches,
            "hold_minutes": round(self.hold_s / 60, 1),
            "by_view": {v: {k: _ratio(*n) for k, n in sorted(d.items())}
                        for v, d in sorted(self.by_view.items())},
            "confusion": {k: dict(v) for k, v in sorted(self.conf.items())},
            "by_skeleton_error": {b: _group(v) for b in SKELETON_BUCKETS
                                  if (v := self.by_skeleton.get(b)) and v[1] + v[3]},
            "by_end_on_warning": {b: _group(v) for b in ("warned", "not warned")
                                  if (v := self.by_end_on.get(b)) and v[1] + v[3]},
            "none_by_phase": {k: {"none_right": _ratio(*v), "frames": v[1]}
                              for k, v in sorted(self.none_by_phase.items())},
            "negatives_taken_for": {
                p: {"frames": sum(d.values()),
                    "taken_for": {k: n for k, n in sorted(d.items(), key=lambda kv: -kv[1]) if k != "none"}}
                for p, d in sorted(self.none_posture.items())},
            "moving_taken_for": {k: n for k, n in sorted(self.none_moving.items(), key=lambda kv: -kv[1])
                                 if k != "none"},
        }


def _group(v: list[int]) -> dict:
    return {"stretch_frames": v[1], "stretch_side_right": _ratio(v[0], v[1]), "negative_frames": v[3],
            "none_right": _ratio(v[2], v[3]), "skeleton_off": _ratio(v[4], v[5])}


def evaluate_recognizer(part: list[Clip]) -> dict:
    """Frame by frame through the live recogniser (smoothed), on scored frames."""
    tally = RecognitionTally()
    for clip in part:
        tally.add(clip, [r.label for r in recognitions(clip)], end_on_warned(clip))
    model = shipped_model()
    return {**tally.figures(),
            "model": {k: model.meta.get(k) for k in ("corpus_version", "seed", "train_clips", "validation")}}


def _runs(lab: dict) -> list[tuple[int, int]]:
    """Frame ranges of one sided stretch held on one side (from the truth)."""
    out, start = [], None
    key = [
        f"{s}:{d}" if s and s not in UNSIDED else "" for s, d in zip(lab["stretch"], lab["side"], strict=True)
    ]
    for i, k in enumerate([*key, ""]):
        if start is not None and k != key[start]:
            out.append((start, i))
            start = None
        if start is None and k:
            start = i
    return out


def leg_swaps(part: list[Clip]) -> dict[str, dict[str, float | None]]:
    """How often the pose model's left and right knees are the truth's right and left (the
    image distance to the swapped truth points is the smaller), by stretch and view."""
    out: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for c in part:
        if c.kind == "none":
            continue
        tr = c.track
        mp, tx, ok = tr["xy"].astype(float), tr["truth_xy"].astype(float), tr["ok"]
        left, right = MP_OF_COCO[COCO_LEFT_KNEE], MP_OF_COCO[COCO_RIGHT_KNEE]
        same = (np.linalg.norm(mp[:, left] - tx[:, COCO_LEFT_KNEE], axis=1)
                + np.linalg.norm(mp[:, right] - tx[:, COCO_RIGHT_KNEE], axis=1))
        swap = (np.linalg.norm(mp[:, left] - tx[:, COCO_RIGHT_KNEE], axis=1)
                + np.linalg.norm(mp[:, right] - tx[:, COCO_LEFT_KNEE], axis=1))
        swapped = ok & (swap + 0.02 < same)
        out[c.kind][c.view][0] += int(swapped.sum())
        out[c.kind][c.view][1] += int(ok.sum())
    return {k: {v: _ratio(*n) for v, n in sorted(d.items())} for k, d in sorted(out.items())}


def recogniser_markdown(r: dict) -> list[str]:
    out = [
        "## Which stretch and which side (the recogniser)",
        "",
        f"Model trained on corpus `{r['model']['corpus_version']}` ({r['model']['train_clips']} training "
        f"clips, seed {r['model']['seed']}); scored frame by frame through the live recogniser "
        "(smoothed as in the coach), leaving out 0.4 s either side of each change in the truth.",
        "",
        "| figure | value | frames |",
        "|---|---|---|",
        f"| stretch and side right, in a stretch | {pct(r['stretch_side_right'])} | {r['stretch_frames']} |",
        f"| 'none' right, on clips of other postures | {pct(r['none_right_on_negatives'])} | "
        f"{r['negative_frames']} |",
        f"| spurious side switches | {r['side_switches_per_10_min']} per 10 min of holds | "
        f"{r['side_switches']} in {r['hold_minutes']} min |",
        "",
        "In position (the recogniser names the stretch, either side): "
        + ", ".join(f"{k} {pct(v)}" for k, v in r["in_position_recall"].items()),
        "",
        *_negatives_markdown(r),
        "Stretch and side right, by camera view:",
        "",
        "| view | " + " | ".join(COACHED) + " |",
        "|---" * (len(COACHED) + 1) + "|",
    ]
    for view, d in r["by_view"].items():
        out.append(f"| {view} | " + " | ".join(pct(d.get(k)) for k in COACHED) + " |")
    if r.get("leg_swaps"):
        out += [
            "",
            "How often the pose model itself swaps the left and right knee (the truth's left knee is "
            "nearer its right one), by view: the recogniser has to see past this.",
            "",
        ]
        for k, d in r["leg_swaps"].items():
            out.append(f"- {k}: " + ", ".join(f"{v} {pct(x)}" for v, x in d.items()))
    groups = [
        ("by_skeleton_error", "skeleton error",
         "By how well the pose model saw the body: the mean image distance of 12 joints (shoulders, "
         "elbows, wrists, hips, knees, ankles) from the true ones, in torso lengths, left and right "
         "taken either way round (`Clip.skeleton_error`). Where the skeleton is far off, no reading "
         "of it can be right; the camera's placement (README, *Where to put the camera*) decides much "
         "of this."),
        ("by_end_on_warning", "the coach warned 'end-on'",
         "By whether the coach warned that the camera looked along the body (end-on; "
         "`coach/session/quality.py`), with the share of the frames in a stretch whose skeleton "
         "was more than 0.3 torso lengths off (of those where the pose model found a person)."),
    ]
    for key, head, text in groups:
        sk = r.get(key)
        if not sk:
            continue
        n_st = sum(v["stretch_frames"] for v in sk.values())
        n_neg = sum(v["negative_frames"] for v in sk.values())
        out += ["", text, "",
                f"| {head} | frames in a stretch | stretch and side right | frames of other postures "
                "| 'none' right | in a stretch, skeleton more than 0.3 off |",
                "|---|---|---|---|---|---|"]
        for b, v in sk.items():
            out.append(f"| {b} | {v['stretch_frames']} ({pct(_ratio(v['stretch_frames'], n_st))}) | "
                       f"{pct(v['stretch_side_right'])} | {v['negative_frames']} "
                       f"({pct(_ratio(v['negative_frames'], n_neg))}) | {pct(v['none_right'])} | "
                       f"{pct(v.get('skeleton_off'))} |")
    labels = sorted({g for row in r["confusion"].values() for g in row} | set(r["confusion"]))
    out += [
        "",
        "Confusion (rows: truth, columns: recognised; frames):",
        "",
        "| truth \\ recognised | " + " | ".join(labels) + " |",
        "|---" * (len(labels) + 1) + "|",
    ]
    for want, row in r["confusion"].items():
        out.append(f"| {want} | " + " | ".join(str(row.get(g, 0)) for g in labels) + " |")
    return [*out, ""]


def _negatives_markdown(r: dict) -> list[str]:
    """Where 'none' goes wrong on the clips of other postures: while a posture is held or while
    moving between postures, and the postures held most often taken for a stretch."""
    phases = r.get("none_by_phase")
    if not phases:
        return []
    line = ("'None' right on the clips of other postures, by what the person was doing: "
            + ", ".join(f"{k} {pct(v['none_right'])} ({v['frames']} frames)" for k, v in phases.items())
            + ".")
    moving = r.get("moving_taken_for")
    if moving:
        line += (" Frames moving between postures taken for a stretch: "
                 + ", ".join(f"{k} {n}" for k, n in list(moving.items())[:8]) + ".")
    held = r.get("negatives_taken_for", {})
    taken = sorted(((sum(v["taken_for"].values()), p, v) for p, v in held.items()),
                   key=lambda x: (-x[0], x[1]))
    worst = [f"{p} {pct(_ratio(n, v['frames']))} of {v['frames']} frames ("
             + ", ".join(f"{k} {m}" for k, m in v["taken_for"].items()) + ")"
             for n, p, v in taken[:6] if n]
    if worst:
        line += " Postures held that were taken for a stretch, most frames first: " + "; ".join(worst) + "."
    return [line, ""]


def corpus_summary(part: list[Clip]) -> dict:
    return {
        "version": manifest()["version"],
        "clips": len(part),
        "frames": int(sum(c.n for c in part)),
        "bodies": len({c.spec["body"] for c in part}),
        "cameras": len({c.spec["camera"] for c in part}),
    }


def plot(fig: dict, path: Path) -> str | None:
    """Each check's share of faults flagged by true size, one small panel per check in a grid:
    blue at or above the fault size (should reach 1), grey under the clean size (flags there
    are false), light in between (not scored); each bar labelled found / faults."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(ex, c, v) for ex, s in fig["stretches"].items() for c, v in s["checks"].items() if v["by_size"]]
    if not rows:
        return None
    thresholds = manifest()["thresholds"]
    cols = min(6, len(rows))
    n_rows = -(-len(rows) // cols)
    figure, axes = plt.subplots(n_rows, cols, figsize=(2.6 * cols, 2.4 * n_rows), squeeze=False)
    for ax in axes.flat[len(rows):]:
        ax.set_visible(False)
    for ax, (ex, c, v) in zip(axes.flat, rows, strict=False):
        labels = list(v["by_size"])
        rate = [a / b if b else 0 for a, b in v["by_size"].values()]
        th = thresholds.get(c, {})
        colour = ["#2f6db3" if _lo(lab) >= th.get("fault", float("inf")) else
                  "#9a9a9a" if _lo(lab) < th.get("clean", -1.0) else "#a9c4e6" for lab in labels]
        ax.bar(range(len(labels)), rate, color=colour)
        for i, (a, b) in enumerate(v["by_size"].values()):
            ax.text(i, min(rate[i], 0.85) + 0.04, f"{a}/{b}", ha="center", fontsize=6)
        ax.set_xticks(range(len(labels)), labels, rotation=45, fontsize=6)
        ax.set_ylim(0, 1)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_title(f"{ex}\n{c}", fontsize=7)
    for r in range(n_rows):
        axes[r][0].set_ylabel("share flagged", fontsize=7)
    figure.suptitle("Faults flagged by true size (validation part): blue at or above the fault size, "
                    "grey under the clean size, light in between", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path.name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", default="val", choices=("val", "train"))
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    ap.add_argument(
        "--rules",
        action="store_true",
        help="locate with the hand-set rules (the baseline before the recogniser)",
    )
    ap.add_argument("--baseline", type=Path, help="an earlier run's accuracy.json, shown as 'was'")
    ap.add_argument("--baseline-is", default="thresholds as they were before fitting",
                    help="what the baseline run was, for the report's sentence on it")
    args = ap.parse_args()
    global RECOGNIZE
    RECOGNIZE = not args.rules
    part = clips(args.part)
    thresholds = manifest()["thresholds"]
    fig = {
        "part": args.part,
        "corpus": corpus_summary(part),
        "stretches": {ex: evaluate_stretch(ex, part, thresholds) for ex in COACHED},
        "located_by": "hand-set rules" if args.rules else "recogniser",
    }
    if not args.rules:
        fig["recogniser"] = evaluate_recognizer(part)
        fig["recogniser"]["leg_swaps"] = leg_swaps(part)
        r = fig["recogniser"]
        print(
            f"recogniser: stretch+side {pct(r['stretch_side_right'])}, none on negatives "
            f"{pct(r['none_right_on_negatives'])}, side switches {r['side_switches_per_10_min']} / 10 min"
        )
    if args.baseline:
        base = json.loads(args.baseline.read_text())
        for k in ("baseline", "baseline_is"):  # its own baseline is not this report's (it nested)
            base.pop(k, None)
        fig["baseline"] = base
        fig["baseline_is"] = args.baseline_is
    from evaluate import sample_lines

    from coach.truth import all_truths

    truths = all_truths()
    lines, bad = sample_lines(truths, RECOGNIZE)
    fig["samples"] = {"agree": len(truths) - bad, "total": len(truths), "lines": lines}
    args.out.mkdir(parents=True, exist_ok=True)
    fig["plot"] = plot(fig, args.out / "accuracy_faults.png")
    (args.out / "accuracy.json").write_text(json.dumps(fig, indent=1) + "\n")
    (args.out / "accuracy.md").write_text(markdown(fig))
    for ex, s in fig["stretches"].items():
        print(
            f"{ex}: in position {pct(s['in_position_recall'])}, false {pct(s['false_in_position'])}, "
            f"side {pct(s['side_right'])}, time/side within 10 % {pct(s['time_per_side_within_10pct'])}"
        )
        for c, v in s["checks"].items():
            print(
                f"   {c}: recall {pct(v['recall'])} of {v['faults']} (can't see {v['faults_cant_see']}), "
                f"precision {pct(v['precision'])}, false on clean clips {v['false_on_clean_clips']}, "
                f"can't judge {pct(v['cant_judge'])}"
            )
    print(f"wrote {args.out / 'accuracy.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
