"""Coaching without being told the exercise: the recogniser names the stretch, and the session
of that stretch coaches it. One recogniser runs per frame, shared by one :class:`Session` per
exercise it knows; the report lists the recognised segments and each exercise's own report."""

from __future__ import annotations

import copy
import dataclasses
import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from coach import __version__
from coach.pose import Pose
from coach.recognizer import NONE, Recognition, Recognizer
from coach.rules.definitions import Exercise
from coach.rules.routines import RoutinePlan
from coach.session.frame import Cue, FrameState, Side, SideTotals
from coach.session.quality import Picture
from coach.session.report import AutoReport, Person, Report, Segment
from coach.session.routine import score_recording
from coach.session.session import Session
from coach.session.timing import ExitDater, MotionMeter


class SharedRecognizer:
    """One recogniser update per frame, whichever session asks first."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self._t: float | None = None
        self.last: Recognition | None = None

    def __call__(self, pose: Pose, t: float) -> Recognition:
        if self._t != t or self.last is None:
            self._t, self.last = t, self.recognizer.update(pose, t)
        return self.last


@dataclass
class _Open:
    stretch: str
    side: str | None
    start_s: float
    confidence_sum: float = 0.0
    frames: int = 0


class Segments:
    """Runs of the same recognised stretch and side (not 'none'), with their mean confidence;
    runs shorter than ``min_s`` are left out."""

    def __init__(self, min_s: float = 1.0) -> None:
        self.min_s = min_s
        self.items: list[Segment] = []
        self._open: _Open | None = None
        self._t = 0.0

    def update(self, r: Recognition, t: float) -> None:
        self._t = t
        key = None if r.stretch == NONE else (r.stretch, r.side)
        cur = self._open
        if cur is not None and (cur.stretch, cur.side) != key:
            self._close(t)
            cur = None
        if key is not None and cur is None:
            cur = self._open = _Open(r.stretch, r.side, t)
        if cur is not None:
            cur.confidence_sum += r.confidence
            cur.frames += 1

    def _segment(self, t: float) -> Segment | None:
        """The open run up to ``t`` as a segment, if it is long enough to count."""
        o = self._open
        if o is None or t - o.start_s < self.min_s:
            return None
        return Segment(stretch=o.stretch, side=o.side, start_s=round(o.start_s, 2),
                       end_s=round(t, 2), confidence=round(o.confidence_sum / o.frames, 3))

    def _close(self, t: float) -> None:
        seg = self._segment(t)
        if seg is not None:
            self.items.append(seg)
        self._open = None

    def finish(self) -> list[Segment]:
        self._close(self._t)
        return self.items

    def snapshot(self) -> list[Segment]:
        seg = self._segment(self._t)
        return [*self.items, seg] if seg is not None else list(self.items)


SEEKING = Cue("Get into any stretch the coach knows: it will say which one it sees", "setup", 3)


class AutoSession:
    """A session over several exercises: each frame goes to every exercise's session (only the
    recognised one is in position); the frame state shown is that of the stretch being done,
    or of the last one done while nothing is recognised. With a ``routine``, the report scores
    the recognised stretches against its steps."""

    def __init__(self, exercises: list[Exercise], recognizer: Recognizer, first_side: Side | None = None,
                 still_image: bool = False, routine: RoutinePlan | None = None) -> None:
        self.shared = SharedRecognizer(recognizer)
        known = [e for e in exercises if e.name in recognizer.model.meta.get("coached", [])]
        # every session sees the same frames: their poses kept once, the picture judged once,
        # the body's speed measured once (for the exercises whose window is the usual one)
        exits, picture, motion = ExitDater(), Picture(), MotionMeter()
        self.sessions = {e.name: Session(e, first_side, still_image, recognize=self.shared, exits=exits,
                                         picture=picture, motion=motion)
                         for e in known}
        self.active = known[0].name
        self.segments = Segments(0.0 if still_image else 1.0)
        self.routine = routine
        # every session's totals where the recognised stretch changed, to split them by step
        self._marks: list[tuple[float, dict[str, dict[str, SideTotals]]]] = []
        self._key: tuple[str, str | None] | None = None
        self._seen = False  # a stretch has been recognised

    @property
    def exercise(self) -> Exercise:
        return self.sessions[self.active].exercise

    def _date_end(self, t: float) -> None:
        """A segment closed on this frame ends where its stretch's session dated the way out
        (the recogniser lets go of a stretch a couple of seconds after the body left it)."""
        last = self.segments.items[-1] if self.segments.items else None
        if last is None or last.end_s != round(t, 2) or last.stretch not in self.sessions:
            return
        left = self.sessions[last.stretch].left_now
        if left is not None:
            end = round(max(last.start_s, min(last.end_s, left)), 2)
            self.segments.items[-1] = last.model_copy(update={"end_s": end})

    def update(self, pose: Pose, t: float, people: int | None = None) -> FrameState:
        states = {name: s.update(pose, t, people) for name, s in self.sessions.items()}
        r = self.shared.last
        assert r is not None
        if r.stretch in self.sessions and getattr(self.sessions[r.stretch].locator, "refused", False):
            # the stretch named fails its definition's guard (e.g. standing, named a seated
            # stretch): not that stretch, here as with --exercise
            r = Recognition(NONE, None, r.confidence, looks_like=None)
        if r.stretch in self.sessions:
            self.active = r.stretch
            self._seen = True
        self.segments.update(r, t)
        self._date_end(t)
        key = None if r.stretch == NONE else (r.stretch, r.side)
        if key != self._key:
            self._key = key
            self._marks.append((t, {n: copy.deepcopy(s.counter.totals)
                                    for n, s in self.sessions.items()}))
        self._date_switch(r.stretch, t)
        if not self._seen:  # nothing recognised yet: no stretch's title, checks or set-up cue
            st = states[self.active]
            cue = st.cue
            if cue is not None and (cue.text == self.exercise.position_cue
                                    or cue.text.startswith("This looks like")):
                cue = SEEKING
            return dataclasses.replace(st, seeking=True, verdicts=(), readings=(), cue=cue)
        return states[self.active]

    def _date_switch(self, stretch: str, t: float) -> None:
        """A change of side its stretch's session dated back on this frame (the recogniser
        names a new side seconds late, its side average turning): the new side's segment, and
        the totals mark the routine's steps are split at, begin where its hold began; the old
        side's segment ended where its hold did (``_date_end``) and is left out if that leaves it
        shorter than a segment's least length. The mark holds what each side had then: the old
        side all it kept, the new side what it had before."""
        s = self.sessions.get(stretch)
        switched = s.switched_now if s is not None else None
        o = self.segments._open
        if switched is None or o is None or o.stretch != stretch or o.side != switched[0]:
            return
        side = switched[0]
        keep = [m for m in self._marks if m[0] < o.start_s]  # the later ones are this change's
        prev = keep[-1] if keep else None  # where the old side began
        start = min(t, max(switched[1], prev[0] if prev is not None else -math.inf))
        now = {n: copy.deepcopy(x.counter.totals) for n, x in self.sessions.items()}
        if prev is not None:
            now[stretch][side] = copy.deepcopy(prev[1][stretch][side])
        self._marks = [*keep, (start, now)]
        o.start_s = start
        items = self.segments.items
        last = items[-1] if items else None
        if last is not None and last.stretch == stretch and last.side != side:
            if last.end_s > round(start, 2):  # (not dated by _date_end: the change came later)
                last = items[-1] = last.model_copy(update={"end_s": max(last.start_s, round(start, 2))})
            if last.end_s - last.start_s < self.segments.min_s:
                items.pop()

    def totals_at(self, exercise: str, t: float | None) -> Mapping[str, SideTotals]:
        """``exercise``'s totals when the recognised stretch changed at (or last before) ``t``;
        now if ``t`` is None."""
        if t is None:
            return self.sessions[exercise].counter.totals
        i = bisect_right([m[0] for m in self._marks], t + 0.006)  # segment times are rounded
        if not i:
            return {s: SideTotals() for s in self.sessions[exercise].exercise.sides}
        return self._marks[i - 1][1][exercise]

    def finish(self) -> None:
        for s in self.sessions.values():
            s.finish()

    def report(self, source: str, fps: float | None, complete: bool = True) -> AutoReport:
        segments = self.segments.finish() if complete else self.segments.snapshot()
        done = {seg.stretch for seg in segments}
        reports: dict[str, Report] = {n: s.report(source, fps, complete) for n, s in self.sessions.items()
                                      if n in done}
        any_session = next(iter(self.sessions.values()))
        c = any_session.clock
        notes = []
        if c.frames and c.seen_frames == 0:
            notes.append("No person was seen.")
        elif not segments:
            notes.append("No stretch the coach knows was recognised: "
                         + ", ".join(sorted(self.sessions)) + ".")
        notes += any_session.quality.picture_notes()  # (the same in every exercise's session)
        routine = None
        if self.routine is not None:
            routine = score_recording(self.routine, segments, reports, self.totals_at,
                                      set(self.sessions))
        return AutoReport(
            coach_version=__version__, source=source, complete=complete,
            fps=round(fps, 3) if fps else None, frames=c.frames, duration_s=round(c.duration_s(fps), 2),
            person=Person(seen_s=round(c.seen_s, 2), not_seen_s=round(c.not_seen_s, 2),
                          max_people=c.max_people),
            segments=segments, exercises=reports, routine=routine, notes=notes)
