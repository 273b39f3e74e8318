"""Score the coach against the ground truth of every sample, fast: landmarks are cached by
scripts/tune.py (out/cache), so after the first run only the rules are re-run. Use it after
changing poses/*.toml; the end-to-end tests apply the same comparison to fresh model runs.

    python scripts/evaluate.py [NAME ...]
"""

from __future__ import annotations

import sys

from tune import estimated_poses

from coach.rules.definitions import exercise_names, find_exercise
from coach.run import make_session
from coach.session.report import Report
from coach.truth import all_truths, compare, load_truth


def report_for(truth, exercise: str, recognize: bool = True) -> Report:
    ex = find_exercise(exercise)
    # where sides take turns, the user says which side came first (coach analyze --first-side)
    first = truth.first_side if ex.side.takes_turns else None
    session = make_session(ex, first_side=first, recognize=recognize)
    for i, pose in enumerate(estimated_poses(truth)):
        session.update(pose, i / truth.fps)
    session.finish()
    return session.report(truth.name, truth.fps)


def sample_lines(truths, recognize: bool = True) -> tuple[list[str], int]:
    """One line per sample (and per exercise for the non-stretching one), and how many disagree."""
    lines, bad = [], 0
    for truth in truths:
        if truth.exercise == "none":
            for ex in exercise_names():
                r = report_for(truth, ex, recognize)
                held = sum(s.hold_s for s in r.sides.values())
                ok = held == 0 and not r.events
                bad += not ok
                lines.append(
                    f"{'ok ' if ok else 'BAD'} {truth.name} as {ex}: held {held:.1f} s, "
                    f"{len(r.events)} faults"
                )
            continue
        ex = find_exercise(truth.exercise)
        r = report_for(truth, truth.exercise, recognize)
        diffs = compare(r, truth, ex.balance_tolerance)
        problems = [f"{k}: {m}" for k, ms in diffs.items() for m in ms]
        bad += bool(problems)
        held = " ".join(
            f"{side[0].upper()} {r.sides[side].hold_s if side in r.sides else 0.0:.1f}/{want:.1f} s"
            for side, want in truth.data["hold_s"].items()
        )
        reps = "/".join(str(r.sides[side].reps) for side in r.sides)
        lines.append(
            f"{'ok ' if not problems else 'BAD'} {truth.name}: {held}, reps {reps}, "
            f"faults {[(e.check, e.side, e.start_s) for e in r.events]}"
        )
        lines += [f"      {p}" for p in problems]
    return lines, bad


def main(names: list[str]) -> int:
    truths = [load_truth(n) for n in names] if names else all_truths()
    lines, bad = sample_lines(truths)
    print("\n".join(lines))
    print(f"{len(truths) - bad if bad <= len(truths) else 0} of {len(truths)} samples agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
