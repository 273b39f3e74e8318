"""What the coach says on real photos: the pose model and the shipped recogniser on each still
listed in a sources file, against the label a person gave it.

    python scripts/real_check.py docs/real_sources.toml --images out/real \
        [--extract /work/.mirror] [--mirror] [--analyze out/real_analyze [--against]] [--json FILE]

The photos are not in the repository. ``--extract DIR`` first writes each one under ``--images``
from bare git copies of its repository at ``DIR/owner+name/repo`` (``git show COMMIT:PATH``).

The sources file (TOML) has one ``[[image]]`` table per photo:

    [[image]]
    file = "manoj/BK_6.jpg"         # under the images folder
    repo = "owner/name"             # where it came from on GitHub
    path = "TRAIN/.../BK_6.jpg"     # its path there
    commit = "40 hex digits"
    tier = "unclear"                # "declared": the source declares it public domain
    licence = "..."                 # what covers the photo, as far as the source says
    label = "none"                  # one of our exercise names, or "none" (a negative)
    shows = "butterfly"             # what the photo shows, in words
    side = "left"                   # only where the photo shows it plainly (our poses/*.toml)
    ambiguous = true                # a variant of the label, or near one: reported apart

Each still is judged on its own, as ``coach analyze`` judges a still image (the estimator in
still-image mode, the recogniser with ``instant=True``). Printed: per image the truth, what the
coach saw (stretch, side, confidence), whether the pose model found a person; then totals for the
clear-cut labels, for the ambiguous ones, and per licence tier.

``--mirror`` also judges each photo flipped left-right, a check of the side that needs no label:
a sided stretch should keep its name and swap side. ``--analyze DIR`` runs ``coach analyze IMAGE
--exercise LABEL`` on each stretch-labelled photo (one process each) and says whether it was
called in position (the report's ``in_position``), annotated images under DIR; with ``--against``
it also asks, for each photo, for the stretch issue 8 says it must not pass for (butterfly,
seated folds, all fours, kneeling and child's pose: not the roll-down; lunges: not pigeon; lying
and happy baby: not the supine figure-4), and with ``--mirror`` on the mirror images as well.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.pose.estimator import open_estimator  # noqa: E402
from coach.recognizer import NONE  # noqa: E402


def load_sources(path: Path) -> list[dict]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return data.get("image", [])


def extract(mirrors: Path, images: Path, entries: list[dict]) -> None:
    for e in entries:
        git_dir = mirrors / e["repo"].replace("/", "+") / "repo"
        out = images / e["file"]
        out.parent.mkdir(parents=True, exist_ok=True)
        data = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{e['commit']}:{e['path']}"],
                              capture_output=True, check=True).stdout
        out.write_bytes(data)


def read_image(path: Path) -> np.ndarray | None:
    data = np.fromfile(str(path), np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None


def named(pose) -> tuple[str, str | None, float, str | None]:
    """What `coach analyze IMAGE` (no --exercise) names on a still: the recogniser, then the
    named stretch's definition guards (a stretch whose guard fails is 'none', as in the coach)."""
    from coach.run import make_session

    session = make_session(None, still_image=True)
    session.update(pose, 0.0)
    r = session.shared.last
    session.finish()
    segments = session.report("still", None).segments
    if not segments:
        return NONE, None, r.confidence, r.looks_like
    seg = segments[0]
    return seg.stretch, seg.side, seg.confidence, None


def recognise(images: Path, entries: list[dict], mirror: bool = False) -> list[dict]:
    """Each still as `coach analyze` judges one; ``mirror``: its left-right mirror image too
    (seen_m, seen_side_m), for a label-free check of the side."""
    rows = []
    with open_estimator(None, video=False) as est:
        for e in entries:
            img = read_image(images / e["file"])
            row = dict(e, found=False, seen=NONE, seen_side=None, conf=0.0, readable=img is not None)
            if img is not None:
                pose = est.estimate(img, 0.0)
                row["found"] = not pose.is_empty
                stretch, side, conf, looks = named(pose)
                row.update(seen=stretch, seen_side=side, conf=conf, looks=looks,
                           wh=f"{img.shape[1]}x{img.shape[0]}")
                if mirror:
                    mpose = est.estimate(np.ascontiguousarray(img[:, ::-1]), 0.0)
                    stretch, side, conf, _ = named(mpose)
                    row.update(seen_m=stretch, seen_side_m=side, conf_m=conf)
            rows.append(row)
    return rows


def analyze(images: Path, out: Path, e: dict) -> dict:
    """``coach analyze IMAGE --exercise LABEL``: in position or not, from its report."""
    dest = out / Path(e["file"]).with_suffix("")
    dest.mkdir(parents=True, exist_ok=True)
    src = images / e["file"]
    if e.get("mirrored"):  # its left-right mirror image, written next to the outputs
        img = read_image(src)
        src = dest / ("mirror_" + Path(e["file"]).stem + ".png")
        cv2.imwrite(str(src), np.ascontiguousarray(img[:, ::-1]))
    cmd = [sys.executable, "-m", "coach", "analyze", str(src),
           "--exercise", e["label"], "--out", str(dest)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    rep = dest / "report.json"
    if p.returncode != 0 or not rep.exists():
        return {"rc": p.returncode, "in_position": None, "err": p.stderr.strip()[-200:]}
    r = json.loads(rep.read_text())
    return {"rc": 0, "in_position": _in_position(r), "side": _side(r), "cue": _cue(r)}


def _in_position(r: dict) -> bool:
    """A still's report lists the spans in position (start = end = 0 s): any is 'in position'."""
    return bool(r.get("in_position"))


def _side(r: dict) -> str | None:
    sides = sorted({s.get("side") for s in r.get("in_position") or [] if s.get("side")})
    return ",".join(sides) or None


def _cue(r: dict) -> str | None:
    ev = r.get("events") or []
    return ev[-1].get("text") if ev and isinstance(ev[-1], dict) else None


def summarise(rows: list[dict], title: str, brief: bool = False) -> None:
    pos = [r for r in rows if r["label"] != NONE]
    neg = [r for r in rows if r["label"] == NONE]
    print(f"\n== {title}: {len(rows)} images ({len(pos)} of our stretches, {len(neg)} negatives); "
          f"person found on {sum(r['found'] for r in rows)}")
    if pos:
        right = [r for r in pos if r["seen"] == r["label"]]
        sided = [r for r in pos if r.get("side")]
        side_ok = [r for r in sided if r["seen"] == r["label"] and r["seen_side"] == r["side"]]
        print(f"stretch right: {len(right)} of {len(pos)}; stretch and side right: {len(side_ok)} of "
              f"{len(sided)} with a side labelled")
        if not brief:
            per = Counter(r["label"] for r in pos)
            for lab in sorted(per):
                these = [r for r in pos if r["label"] == lab]
                said = Counter(_said(r) for r in these)
                print(f"  {lab:18} {sum(r['seen'] == lab for r in these)}/{len(these)} right; said "
                      + ", ".join(f"{k} x{v}" for k, v in said.most_common()))
    if neg:
        none_ok = [r for r in neg if r["seen"] == NONE]
        print(f"'none' right on negatives: {len(none_ok)} of {len(neg)}")
        taken = Counter(r["seen"] for r in neg if r["seen"] != NONE)
        if taken:
            print("negatives taken for: " + ", ".join(f"{k} x{v}" for k, v in taken.most_common()))
        if not brief:
            by_shows: dict[str, list[dict]] = {}
            for r in neg:
                by_shows.setdefault(_group(r.get("shows", "?")), []).append(r)
            for s, these in sorted(by_shows.items()):
                said = Counter(_said(r) for r in these)
                print(f"  {s:34} {sum(r['seen'] == NONE for r in these)}/{len(these)} none; said "
                      + ", ".join(f"{k} x{v}" for k, v in said.most_common()))


def mirror_summary(rows: list[dict]) -> None:
    """Left-right mirror check: no labels needed. A photo seen as a sided stretch should be seen as
    the same stretch on the other side in its mirror image; an unsided or 'none' call should stay."""
    print("\n== mirror images (each photo flipped left-right)")
    sided = [r for r in rows if r.get("seen_side") in ("left", "right")]
    same = [r for r in sided if r.get("seen_m") == r["seen"]]
    swapped = [r for r in same if r.get("seen_side_m") not in (None, r["seen_side"])]
    same_side = [r for r in same if r.get("seen_side_m") == r["seen_side"]]
    other = [r for r in sided if r.get("seen_m") != r["seen"]]
    print(f"seen as a sided stretch: {len(sided)}; in the mirror image: same stretch, other side "
          f"{len(swapped)}; same stretch, SAME side {len(same_side)}; another call {len(other)}")
    for r in same_side + other:
        side_m = ":" + r["seen_side_m"] if r.get("seen_side_m") else ""
        print(f"  {r['file'][:44]:44} {_said(r):26} mirror: {r.get('seen_m')}{side_m} "
              f"({r.get('conf_m', 0):.2f})  [{r.get('shows', '')[:40]}]")
    unsided = [r for r in rows if r.get("seen_side") not in ("left", "right")]
    kept = [r for r in unsided if r.get("seen_m") == r["seen"]]
    print(f"seen as 'none' or an unsided stretch: {len(unsided)}; the mirror image gets the same call "
          f"on {len(kept)}")
    pos = [r for r in rows if r["label"] != NONE and not r.get("ambiguous")]
    neg = [r for r in rows if r["label"] == NONE and not r.get("ambiguous")]
    print(f"mirror images, clear-cut labels: stretch right "
          f"{sum(r.get('seen_m') == r['label'] for r in pos)} of {len(pos)}; "
          f"'none' right {sum(r.get('seen_m') == NONE for r in neg)} of {len(neg)}")


def _said(r: dict) -> str:
    return r["seen"] + (f":{r['seen_side']}" if r["seen_side"] else "")


# Issue 8, "Negatives that matter": what each posture must not be taken for when that stretch is
# asked for (a photo's label is the stretch it shows; these are the ones it is NOT).
AGAINST = {
    "child_pose": ("seated_rolldown",), "happy_baby": ("supine_figure4",),
    "runners_lunge": ("pigeon",),
    "butterfly": ("seated_rolldown",), "seated forward fold": ("seated_rolldown",),
    "all fours": ("seated_rolldown",), "kneeling": ("seated_rolldown",),
    "lunge": ("pigeon",), "lying": ("supine_figure4",), "seated": ("seated_rolldown",),
}


def against(r: dict) -> tuple[str, ...]:
    if r.get("ambiguous"):
        return ()
    if r["label"] != NONE:
        return AGAINST.get(r["label"], ())
    return AGAINST.get(_group(r.get("shows", "")), ())


GROUPS = ("butterfly", "all fours", "downward dog", "standing", "sitting on a chair", "lying on the side",
          "lying prone", "lying", "seated forward fold", "seated", "kneeling", "lunge")


def _group(shows: str) -> str:
    """A coarse posture group for the negatives' table (first match in GROUPS)."""
    s = shows.lower()
    for g in GROUPS:
        if g in s:
            return g
    return s[:34]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sources", type=Path)
    ap.add_argument("--images", type=Path, required=True, help="folder the 'file' entries are under")
    ap.add_argument("--analyze", type=Path, help="also run `coach analyze --exercise` into this folder")
    ap.add_argument("--mirror", action="store_true",
                    help="also judge each photo's mirror image (a sided stretch should swap side)")
    ap.add_argument("--against", action="store_true",
                    help="with --analyze: also ask for the stretch each negative must not pass for")
    ap.add_argument("--json", type=Path, help="write the per-image rows here")
    ap.add_argument("--only", help="only sources of this licence tier (e.g. 'declared')")
    ap.add_argument("--extract", type=Path, metavar="DIR",
                    help="first write the photos from bare git copies at DIR/owner+name/repo")
    a = ap.parse_args(argv)
    entries = load_sources(a.sources)
    if a.only:
        entries = [e for e in entries if e.get("tier") == a.only]
    if a.extract:
        extract(a.extract, a.images, entries)
    rows = recognise(a.images, entries, a.mirror)

    print(f"{'file':44} {'truth':28} {'seen':28} {'conf':>5} person")
    for r in rows:
        truth = r["label"] + (f":{r['side']}" if r.get("side") else "")
        seen = r["seen"] + (f":{r['seen_side']}" if r["seen_side"] else "")
        if r["seen"] == NONE and r.get("looks"):
            seen += f" (~{r['looks']})"
        mark = "ok" if r["seen"] == r["label"] else "XX"
        print(f"{r['file'][:44]:44} {truth[:28]:28} {seen[:28]:28} {r['conf']:5.2f} "
              f"{'yes' if r['found'] else 'NO '} {mark}  [{r.get('shows', '')}]")

    summarise([r for r in rows if not r.get("ambiguous")], "clear-cut labels")
    amb = [r for r in rows if r.get("ambiguous")]
    if amb:
        summarise(amb, "variants / near-misses (ambiguous = true)")
    for tier in sorted({r.get("tier", "?") for r in rows}):
        these = [r for r in rows if r.get("tier", "?") == tier and not r.get("ambiguous")]
        summarise(these, f"licence tier {tier!r}, clear-cut labels", brief=True)

    if a.mirror:
        mirror_summary(rows)
    if a.analyze:
        pos = [r for r in rows if r["label"] != NONE]
        print("\ncoach analyze IMAGE --exercise LABEL on the stretch-labelled images:")
        n_in = 0
        for r in pos:
            res = analyze(a.images, a.analyze, r)
            r["analyze"] = res
            n_in += bool(res.get("in_position"))
            side = f" side {res.get('side')}" if res.get("in_position") else ""
            print(f"  {r['file'][:44]:44} --exercise {r['label']:16} in position: "
                  f"{res.get('in_position')}{side}  (truth side {r.get('side') or '-'})"
                  f"{'  [ambiguous]' if r.get('ambiguous') else ''}  {res.get('err') or ''}")
        clear = [r for r in pos if not r.get("ambiguous")]
        print(f"in position said on {n_in} of {len(pos)} "
              f"({sum(bool(r['analyze'].get('in_position')) for r in clear)} of {len(clear)} clear-cut)")
    if a.analyze and a.against:
        print("\ncoach analyze IMAGE --exercise X where X is a stretch the photo must NOT pass for "
              "(issue 8, 'Negatives that matter'):")
        tried = held = 0
        for mirrored in (False, True) if a.mirror else (False,):
            for r in rows:
                for ex in against(r):
                    tag = ("mirror_vs_" if mirrored else "vs_") + ex
                    res = analyze(a.images, a.analyze / tag, dict(r, label=ex, mirrored=mirrored))
                    r.setdefault("against", {})[tag] = res
                    tried += 1
                    held += bool(res.get("in_position"))
                    if res.get("in_position") or res.get("err"):
                        m = " (mirror)" if mirrored else ""
                        print(f"  {r['file'][:40]:40}{m:9} [{r.get('shows', '')[:30]:30}] --exercise "
                              f"{ex:16} in position: {res.get('in_position')} side {res.get('side')}  "
                              f"{res.get('err') or ''}")
        print(f"false in position: {held} of {tried} (only those in position are listed)")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
