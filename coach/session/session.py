"""The session: the per-frame decision step and the report it adds up to.

``Session.update(pose, t)`` is called once per frame (also with ``Pose.empty()``) on video time
and reads as pose -> locate (side, position) -> judge (checks, faults) -> count (holds, reps,
balance) -> cue, returning a :class:`FrameState` that annotators draw; ``Session.report()``
sums it up as a typed :class:`Report`.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coach import __version__
from coach.pose import Pose
from coach.rules import measures as M
from coach.rules.definitions import Exercise, find_exercise, poses_dir
from coach.session.count import Counter
from coach.session.cue import CueBoard, CueChooser
from coach.session.frame import FrameState, Reading, Side, balance_of_sides, snapshot
from coach.session.judge import FaultEvent, Judge
from coach.session.locate import Location, Locator, locator_for
from coach.session.quality import Picture, Quality
from coach.session.report import (
    BalanceReport,
    CheckReport,
    CountTarget,
    Event,
    Interval,
    Person,
    Report,
    SideReport,
    Targets,
)
from coach.session.timing import ExitDater, MotionMeter

SWITCH_LOOK_S = 2.5  # how far back a side switch's way out is looked for (ExitDater's look_s + 0.5 s)
# A change of side made inside the stretch is confirmed late (the recogniser's 8 s side average):
# the old side's hold is taken to end where the recogniser last read it this surely (its way out
# dated back from there), the new side's to begin where it first read the new one so. Set once,
# not tuned: on the first 12 training clips of each stretch (scripts/fit_exits.py's part) time
# per side within 10 % went 68.0 -> 69.4 %, mean error 0.140 -> 0.107. An old side never read this
# surely ends where the new one took the lead for good (Session._redate_switch).
SURE_SIDE = 0.9
SIDE_HISTORY_S = 14.0  # how far back those frames are looked for

if TYPE_CHECKING:
    from coach.recognizer import Recognition

MAX_DT = 0.5  # a gap longer than this (a stalled camera) is not counted as held time


class Clock:
    """Video time and who was there: frames, time with and without a person, most people."""

    def __init__(self) -> None:
        self.frames = self.seen_frames = self.max_people = 0
        self.t_first: float | None = None
        self.t_last = self.seen_s = self.not_seen_s = 0.0
        self._prev_t: float | None = None

    def update(self, person: bool, people: int, t: float) -> float:
        """Advance to ``t``; the time since the last frame, capped for stalls."""
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), MAX_DT)
        self._prev_t = t
        self.frames += 1
        self.t_first = t if self.t_first is None else self.t_first
        self.t_last = t
        self.max_people = max(self.max_people, people)
        if person:
            self.seen_s += dt
            self.seen_frames += 1
        else:
            self.not_seen_s += dt
        return dt

    def duration_s(self, fps: float | None = None) -> float:
        if self.t_first is None:
            return 0.0
        return self.t_last - self.t_first + (1.0 / fps if fps else 0.0)


@functools.lru_cache(maxsize=64)
def _title(name: str, folder: str) -> str:
    """An exercise's title in lower case, read once per definitions folder (every session asks on
    every frame another stretch is recognised: reading its file each time was most of a
    recognised session's step)."""
    return find_exercise(name, Path(folder)).title.lower()


class Session:
    """Decides, frame by frame, how the stretch is going, and adds it up."""

    def __init__(self, exercise: Exercise, first_side: Side | None = None,
                 still_image: bool = False, locator: Locator | None = None,
                 recognize: Callable[[Pose, float], Recognition] | None = None,
                 exits: ExitDater | None = None, picture: Picture | None = None,
                 motion: MotionMeter | None = None) -> None:
        """``still_image``: one frame judged on its own, so nothing waits to be confirmed
        (checks that compare with the start of a hold cannot be judged then). ``locator``:
        finds side and position (default: the recogniser's when ``recognize`` is given, else the
        exercise's side rule and position conditions). ``exits``: the :class:`ExitDater` to use
        (sessions over the same frames can share one); default, one of its own. ``picture``:
        the same for the picture's own warnings (:class:`Picture`); ``motion``: for how fast the
        body moves (:class:`MotionMeter`)."""
        self.exercise = exercise
        self.clock = Clock()
        self.locator = locator or locator_for(exercise, first_side, still_image, recognize)
        self.judge = Judge(exercise, instant=still_image)
        self.counter = Counter(exercise, motion)
        # moving is part of a stretch with movements to count (leans, roll-downs, kicks): there
        # a movement before leaving is the stretch, not the way out, and is not taken back
        dated = exercise.reps is None and not exercise.counts
        self.exits = (exits or ExitDater()) if dated else None
        self._run: tuple[Side, float] | None = None  # the side held, since when
        self._sides: deque[tuple[float, float, float]] = deque()  # (t, p left, p right) of the run
        self.left_now: float | None = None  # a hold left on this frame: when it really ended
        # a change of side dated back on this frame: (new side, when its hold began)
        self.switched_now: tuple[Side, float] | None = None
        self.chooser = CueChooser(exercise)
        self.cues = CueBoard()
        self.quality = Quality(exercise, picture)

    def update(self, pose: Pose, t: float, people: int | None = None) -> FrameState:
        """Decide one frame: who is there, which side, in position or not, what the checks
        say, what counts as held, reps, and the one cue to show."""
        ex, person = self.exercise, not pose.is_empty
        people = people if people is not None else int(person)
        dt = self.clock.update(person, people, t)
        where = self.locator.update(pose, t)
        self._note_sides(t)
        left, credit = self._left(where, t)
        if self.exits is not None:
            self.exits.update(pose, t)
        judged = self.judge.update(pose, where, t, dt, left[1] if left else None)
        left = self._way_out(left, judged.dropped)
        self.left_now = left[1] if left else None
        self.switched_now = credit if credit is not None and left is not None else None
        taken = self.counter.retract(*left) if left is not None else []
        hold_s = self.counter.update(pose, where, judged, t, dt)
        if credit is not None and left is not None:  # a change of side dated back (_redate_switch)
            hold_s = self.counter.rebook(credit[0], taken, credit[1], left[1])
            self.counter.move_counts(left[0], credit[0], left[1])
        direction = self.counter.count_reps(pose, where, t)
        totals = self.counter.totals
        balance = balance_of_sides(totals, ex.balance_tolerance)
        warnings = self.quality.update(pose, where.in_position, judged.verdicts, t, dt)
        wanted = self.chooser.choose(person, where.side, where.in_position, judged.verdicts,
                                     hold_s, direction, totals, self._looks_like(),
                                     self.counter.moving, self.counter.held_out)
        return FrameState(t, pose, people, where.side, where.in_position, judged.verdicts,
                          hold_s, snapshot(totals), self.cues.update(wanted, t), balance,
                          self._readings(pose, where.side),
                          tuple((e.check, e.start_s) for e in self.judge.log.open.values()),
                          warnings, getattr(self.locator, "recognition", None))

    def _left(self, where: Location, t: float) -> tuple[tuple[Side, float] | None, tuple[Side, float] | None]:
        """On the frame a side's hold is left (out of position, or the other side), that side
        and when the body really started moving out; else None. Second: for a change of side
        dated back (:meth:`_redate_switch`), the new side and when its hold began; else None.
        Where movements are counted (no :class:`ExitDater`), only a change of side is dated back,
        and the reps and counts made since move with it (``Counter.move_counts``): pigeon_clean's
        right hold, entered as the left, kept 4.7 s and a lean there."""
        if self.exits is None and not self.exercise.sided:
            return None, None
        side = where.side if where.in_position else None
        out = credit = None
        if self._run is not None and side != self._run[0]:
            if self.exits is None:  # counted movements: only a change of side is dated back
                redated = self._redate_switch(self._run, t) if side is not None else None
                if redated is not None:
                    out, credit = (self._run[0], redated[0]), (side, redated[1])
            elif side is None and where.since is not None:  # out: looked back from when it was lost
                out = (self._run[0], self.exits.left_at(where.since, self._run[1]))
            else:  # the other side, confirmed about as late as leaving is (SWITCH_LOOK_S)
                out = (self._run[0], self.exits.left_at(t, self._run[1], SWITCH_LOOK_S))
                if side is not None:
                    redated = self._redate_switch(self._run, t)
                    if redated is not None:  # the way out dated back from when it was last sure
                        out = (self._run[0], min(out[1], self.exits.left_at(redated[0], self._run[1])))
                        credit = (side, redated[1])
        if side is None:
            self._run = None
        elif self._run is None or side != self._run[0]:
            start = where.since if where.since is not None and self._run is None else t
            self._run = (side, credit[1] if credit is not None else start)
        return out, credit

    def _note_sides(self, t: float) -> None:
        """Keep how surely the recogniser read each side of the stretch, frame by frame."""
        r = getattr(self.locator, "recognition", None)
        if r is None or r.sides is None or r.stretch != self.exercise.name:
            return  # (a change of side is dated back only within the named stretch)
        self._sides.append((t, *r.sides))
        while self._sides and self._sides[0][0] < t - SIDE_HISTORY_S:
            self._sides.popleft()

    def _redate_switch(self, run: tuple[Side, float], t: float) -> tuple[float, float] | None:
        """A change of side confirmed at ``t`` without leaving the stretch: (when the old side's
        hold ended, when the new side's began), by the recogniser's reading of each, or None.
        The old side ends at the last frame it was read at SURE_SIDE or more; the new begins at
        the first frame after that the new side was read so. A side never read so surely (a hold
        entered while the legs were still being placed, its side a guess) ends where the new side
        last took the lead and kept it, and the new one begins there: figure4_unequal's left
        hold was entered as the right for 4.8 s, all of which the right side kept. On the
        validation part this took time per side within 10 % from 237 to 241 of 350 sides with
        the c9 model (232 -> 236 with the c8 one; cow face +2, the figure-4 twist +2 and +1), no
        stretch losing more than one; on fit_exits.py's training clips within 10 % stayed at
        77.3 % and the mean error went 0.090 -> 0.083."""
        old = 1 if run[0] == "left" else 2
        frames = [f for f in self._sides if run[1] <= f[0] <= t]
        sure_old = [f[0] for f in frames if f[old] >= SURE_SIDE]
        if not sure_old:  # never sure of the old side: both where the new one took the lead for good
            start = None
            for f in reversed(frames):
                if f[3 - old] <= f[old]:
                    break
                start = f[0]
            return None if start is None else (start, start)
        end = sure_old[-1]
        sure_new = [f[0] for f in frames if f[0] > end and f[3 - old] >= SURE_SIDE]
        return end, (sure_new[0] if sure_new else t)

    @staticmethod
    def _way_out(left: tuple[Side, float] | None,
                 dropped: Sequence[FaultEvent]) -> tuple[Side, float] | None:
        """A hold left at ``left`` = (side, when the body started moving out): a fault of that
        side dropped as the way out (``dropped``) that began sooner moves the way out back to its
        start, so that the time it covered is taken back from the hold, as its fault was."""
        if left is None:
            return None
        starts = [ev.start_s for ev in dropped if ev.side == left[0]]
        return (left[0], min([left[1], *starts]))

    def _looks_like(self) -> str | None:
        """A clearly different pose the recogniser sees (another stretch, or a named posture)."""
        r = getattr(self.locator, "recognition", None)
        if r is None or r.stretch == self.exercise.name or r.confidence < 0.7:
            return None
        if r.stretch != "none":
            return _title(r.stretch, str(poses_dir()))
        return r.looks_like.replace("_", " ") if r.looks_like else None

    def _readings(self, pose: Pose, side: Side | None) -> tuple[Reading, ...]:
        """The exercise's ``display`` measures, each with its label, unit and joint."""
        out = []
        for name in self.exercise.display:
            m = M.get_measure(name)
            r = M.read(pose, name, side, None, self.exercise.min_visibility)
            anchor = m.anchor_landmark(side, dict(m.params))  # type: ignore[arg-type]
            if (r.value is not None and anchor is not None
                    and pose.vis(anchor) >= self.exercise.min_visibility):
                out.append(Reading(m.label, r.value, m.unit, anchor))
        return tuple(out)

    def finish(self) -> None:
        """Close open fault and position intervals at the end of the session; a hold still on
        then ends where the body started moving out, if it did (as when a hold is left)."""
        end = self.clock.t_last
        left = None
        if self._run is not None and self.exits is not None:
            at = self.exits.left_at(end + 1e-6, self._run[1])  # the last frame looked at too
            if at <= end:
                left = self._way_out((self._run[0], at), self.judge.drop_recent(math.inf, at))
        self.judge.finish(end)
        self.counter.intervals.update(None, end)
        if left is not None:
            self.counter.retract(*left)
        self._run = None

    def _notes(self) -> list[str]:
        c, notes = self.clock, []
        if c.frames and c.seen_frames == 0:
            notes.append("No person was seen: no time was counted.")
        elif c.not_seen_s > 1.0:
            notes.append(f"No person in view for {c.not_seen_s:.1f} s (not counted).")
        if c.max_people > 1:
            notes.append(f"Up to {c.max_people} people in view: followed the largest "
                         "(nearest) person only.")
        if c.seen_frames and self.counter.position_frames == 0:
            notes.append(f"Never in the {self.exercise.title} position: no hold was counted.")
        return notes + self.quality.notes()

    def _event(self, e: FaultEvent) -> Event:
        end, still_open = (e.end_s, None) if e.end_s is not None else (self.clock.t_last, True)
        return Event(check=e.check, side=e.side, start_s=round(e.start_s, 2),
                     end_s=round(max(end, e.start_s), 2), message=e.message, open=still_open)

    def _checks(self) -> dict[str, CheckReport]:
        ex = self.exercise
        return {c.name: CheckReport(fault_s=round(self.judge.time[c.name]["fault_s"], 2),
                                    unseen_s=round(self.judge.time[c.name]["unseen_s"], 2),
                                    judged=not c.advisory, why=c.advisory or None)
                for c in ex.checks}

    def report(self, source: str, fps: float | None, complete: bool = True) -> Report:
        ex, c, counter = self.exercise, self.clock, self.counter
        totals = counter.totals
        bal = balance_of_sides(totals, ex.balance_tolerance)
        events = self.judge.log.events if complete else self.judge.log.snapshot()
        return Report(
            coach_version=__version__, exercise=ex.name, title=ex.title, source=source,
            complete=complete, fps=round(fps, 3) if fps else None, frames=c.frames,
            duration_s=round(c.duration_s(fps), 2),
            person=Person(seen_s=round(c.seen_s, 2), not_seen_s=round(c.not_seen_s, 2),
                          max_people=c.max_people),
            targets=Targets(hold_s=ex.hold.target_s, reps=ex.reps.target if ex.reps else None,
                            rep_label=ex.reps.label if ex.reps else None,
                            breaths=ex.hold.breaths,
                            breath_s=ex.hold.breath_s if ex.hold.breaths else None,
                            counts={c.name: CountTarget(label=c.label, target=c.target)
                                    for c in ex.counts} or None),
            sides={s: SideReport(hold_s=round(totals[s].hold_s, 2), reps=totals[s].reps,
                                 best_hold_s=round(totals[s].best_hold_s, 2),
                                 in_position_s=round(counter.position_s[s], 2),
                                 fault_s=round(totals[s].fault_s, 2),
                                 breaths=ex.hold.breaths_in(totals[s].hold_s),
                                 counts=dict(totals[s].counts) or None)
                   for s in ex.sides},
            balance=BalanceReport(difference_s=bal.difference_s, ratio=bal.ratio,
                                  imbalanced=bal.imbalanced, behind=bal.behind,
                                  message=bal.message),
            checks=self._checks(), events=[self._event(e) for e in events],
            in_position=[Interval(**i) for i in counter.intervals.items], notes=self._notes())
