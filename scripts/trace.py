"""Print the session's decisions frame by frame for one sample (every Nth frame), beside the
truth's phase and side: for finding why a rule misfires.

    python scripts/trace.py pigeon_clean [--every 5] [--exercise pigeon]
"""

from __future__ import annotations

import argparse

from tune import estimated_poses

from coach.rules import measures as M
from coach.rules.definitions import find_exercise
from coach.run import make_session
from coach.truth import load_truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sample")
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--exercise")
    args = ap.parse_args()
    truth = load_truth(args.sample)
    ex = find_exercise(args.exercise or truth.exercise)
    session = make_session(ex)
    for i, pose in enumerate(estimated_poses(truth)):
        t = i / truth.fps
        st = session.update(pose, t)
        if i % args.every:
            continue
        verdicts = " ".join(f"{v.check}={v.status}" + (f"({v.value:.2f})" if v.value is not None
                                                        else "") for v in st.verdicts)
        pos = []
        for c in ex.position:
            r = M.read(pose, c.measure, st.side, c.params, ex.min_visibility)
            # '!' a condition not met, '~' one that does not apply here (its 'when' gates fail)
            applies = c.applies(pose, st.side, ex.min_visibility)
            mark = "~" if not applies else "" if c.met(pose, st.side, ex.min_visibility) else "!"
            pos.append(f"{c.measure}{'*' if c.params.get('leg') == 'other' else ''}="
                       f"{'-' if r.value is None else f'{r.value:.2f}'}{mark}")
        # one total per side the exercise has ('both' where it has none)
        sides = " ".join(f"{s[0].upper()}={tot.hold_s:.1f}/{tot.reps}" for s, tot in st.totals.items())
        r = st.recognition
        seen = f" sees={r.label}:{r.confidence:.2f}" if r is not None else ""
        print(f"{t:6.2f} {truth.phase_at(t)}/{truth.side_at(t)} -> side={st.side}{seen} "
              f"pos={int(st.in_position)} {sides} | {' '.join(pos)} | {verdicts}")


if __name__ == "__main__":
    main()
