"""The live screen, drawn at the window's size (not the video's), to be read from a mat 2-3 m
away: the camera image with the skeleton, a panel with the stretch, side, a big hold timer
against its target, a left-versus-right bar and the checks as large coloured marks, one cue in
large high-contrast text, and the keys. Drawing only: every decision comes in a LiveView.

Sizes are in units ``u`` of 1 % of the window's shorter side. Landscape windows put the panel
to the right of the image, portrait windows below it.
"""

from __future__ import annotations

import cv2
import numpy as np

from coach.output.annotate import AMBER, GREEN, GREY, RED, WHITE, draw_skeleton, label_box, outlined_text
from coach.rules.definitions import Exercise
from coach.session.frame import FrameState, Verdict, side_name
from coach.session.guide import ANY_STRETCH, SAFETY_NOTE, LiveView, RoutineStatus, RoutineSummary, Summary

FONT = cv2.FONT_HERSHEY_DUPLEX
_CAP = cv2.getTextSize("H", FONT, 1.0, 1)[0][1]  # cap height at scale 1
BG = (28, 28, 28)
BLACK = (0, 0, 0)
LIGHT = (210, 210, 210)
# cue banners: (background, text), BGR, each pair above 4.5:1 contrast
BANNER = {"fault": ((20, 20, 190), WHITE), "setup": ((0, 185, 255), BLACK),
          "move": ((150, 80, 20), WHITE), "breath": ((150, 80, 20), WHITE),
          "good": ((40, 120, 20), WHITE),
          "info": ((70, 70, 70), WHITE)}
KEYS = (("Space", "pause"), ("N", "skip"), ("B", "back"), ("S", "switch side"), ("M", "mute"),
        ("F", "fullscreen"), ("Q", "quit"))


def clock(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 60}:{s % 60:02d}"


class Pen:
    """Text by cap height in pixels, with a dark outline so it reads over video."""

    def __init__(self, img: np.ndarray) -> None:
        self.img = img

    @staticmethod
    def size(text: str, cap: float, bold: bool = False) -> tuple[int, int]:
        scale = cap / _CAP
        (w, h), _ = cv2.getTextSize(text, FONT, scale, Pen.thickness(cap, bold))
        return w, h

    @staticmethod
    def thickness(cap: float, bold: bool = False) -> int:
        return max(1, round(cap / (7 if bold else 11)))

    def text(self, text: str, x: float, y: float, cap: float, colour=WHITE, bold: bool = False,
             outline: bool = True) -> int:
        """Draw ``text`` with its baseline at ``y``; returns its width."""
        scale, th = cap / _CAP, self.thickness(cap, bold)
        org = (round(x), round(y))
        # rendered once and blended after (anti-aliased putText of large text takes ~1 ms)
        return outlined_text(self.img, text, org, scale, colour, th,
                             th + max(2, round(cap / 9)) if outline else 0, FONT)

    def fit(self, text: str, cap: float, width: float, bold: bool = False) -> float:
        """The largest cap height up to ``cap`` at which ``text`` fits ``width``."""
        w = self.size(text, cap, bold)[0]
        return cap if w <= width else cap * width / w

    def wrap(self, text: str, cap: float, width: float, bold: bool = False) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and self.size(f"{lines[-1]} {word}", cap, bold)[0] <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        return lines or [""]

    def box(self, x0: float, y0: float, x1: float, y1: float, colour, alpha: float = 1.0) -> None:
        h, w = self.img.shape[:2]
        x0, y0, x1, y1 = max(0, round(x0)), max(0, round(y0)), min(w, round(x1)), min(h, round(y1))
        if x1 <= x0 or y1 <= y0:
            return
        if alpha >= 1:  # (numpy's ``roi[:] = colour`` broadcasts slowly: 17 ms for a 720p fill)
            cv2.rectangle(self.img, (x0, y0), (x1 - 1, y1 - 1), colour, -1)
            return
        roi = self.img[y0:y1, x0:x1]
        cv2.convertScaleAbs(roi, roi, 1 - alpha)  # a scale, then the colour's share added
        cv2.add(roi, (*(c * alpha for c in colour), 0), dst=roi)


class LiveScreen:
    """Draws a :class:`LiveView` on a canvas of the window's size."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._blank: np.ndarray | None = None  # the background and the keys, for this size

    def _background(self, w: int, h: int, u: float, keys_h: float) -> np.ndarray:
        """A fresh canvas of the window's size with the keys drawn (they change only with the
        size, so they are drawn once and copied after)."""
        if self._blank is None or self._blank.shape[:2] != (h, w):
            blank = np.empty((h, w, 3), np.uint8)
            Pen(blank).box(0, 0, w, h, BG)
            self._keys(Pen(blank), w, h, keys_h, u)
            self._blank = blank
        return self._blank.copy()

    def render(self, view: LiveView, size: tuple[int, int]) -> np.ndarray:
        w, h = max(size[0], 320), max(size[1], 240)
        u = min(w, h) / 100
        keys_h = 5 * u
        img = self._background(w, h, u, keys_h)
        pen = Pen(img)
        if view.step == "summary" and isinstance(view.summary, RoutineSummary):
            self._routine_summary(pen, view.summary, w, h - keys_h, u)
            return img
        if view.step == "summary" and view.summary is not None:
            self._summary(pen, view.summary, w, h - keys_h, u)
            return img
        cue_text, kind = self._cue(view)
        cue_h = self._banner(pen, cue_text, kind, w, h - keys_h, u)
        bottom = h - keys_h - cue_h
        portrait = h > w * 1.1
        if portrait:
            fh, fw = view.image.shape[:2]
            vid = (0.0, 0.0, float(w), min(w * fh / fw, 0.45 * bottom))
            panel = (2 * u, vid[3] + 2 * u, w - 2 * u, bottom - u)
        else:
            pw = max(36 * u, 0.34 * w)
            vid = (0.0, 0.0, w - pw, bottom)
            panel = (w - pw + 2 * u, 2 * u, w - 2 * u, bottom - u)
        self._video(pen, view, vid, u)
        if view.step == "setup":
            self._setup(pen, view, w, bottom, u)
            return img
        if view.step == "rest":
            self._rest(pen, view, vid, panel, u)
        elif view.step == "framing":
            self._framing_panel(pen, view, panel, u)
        elif view.step == "countdown":
            self._countdown(pen, view, vid, panel, u)
        elif view.state is not None:
            self._panel(pen, view.state, panel, u, getattr(view.state, "recognition", None),
                        view.routine)
        return img

    # -- pieces ----------------------------------------------------------------------------
    def _cue(self, view: LiveView) -> tuple[str, str]:
        if view.note:
            return view.note, "info"
        if view.step == "setup":
            left = view.left_s or 0
            return f"Starting in {left:.0f} s.  Press N to start now", "setup"
        if view.step == "framing" and view.framing is not None:
            return view.framing.message, "good" if view.framing.ok else "setup"
        if view.step == "countdown":
            return self.exercise.position_cue, "setup"
        if view.step == "rest":
            nxt = view.routine.next if view.routine is not None else None
            return (f"Rest{'.  Next: ' + nxt if nxt else ''}.  Press N to go on", "info")
        if view.paused:
            return "Paused.  Press Space to go on", "info"
        if view.state is not None and view.state.cue is not None:
            return view.state.cue.text, view.state.cue.kind
        return "", "info"

    def _banner(self, pen: Pen, text: str, kind: str, w: int, bottom: float, u: float) -> float:
        """One cue across the bottom, large, one or two lines; returns its height."""
        bg, fg = BANNER.get(kind, BANNER["info"])
        cap = 5.5 * u
        lines = pen.wrap(text, cap, w - 6 * u, bold=True)
        if len(lines) > 2:
            cap = 4.2 * u
            lines = pen.wrap(text, cap, w - 6 * u, bold=True)[:3]
        line_h = cap * 1.6
        bh = line_h * len(lines) + 2.4 * u
        pen.box(0, bottom - bh, w, bottom, bg)
        y = bottom - bh + 1.2 * u + cap * 1.3
        for line in lines:
            lw = pen.size(line, cap, bold=True)[0]
            pen.text(line, (w - lw) / 2, y, cap, fg, bold=True, outline=False)
            y += line_h
        return bh

    def _keys(self, pen: Pen, w: int, h: int, kh: float, u: float) -> None:
        pen.box(0, h - kh, w, h, BLACK)
        cap = 2.0 * u
        parts = [(f" {k} ", d) for k, d in KEYS]
        text_w = sum(pen.size(k, cap, True)[0] + pen.size(d, cap)[0] for k, d in parts)
        gaps = 2.5 * u * len(parts)
        if text_w + gaps > w - 2 * u:  # narrow windows: smaller keys, the gaps kept
            cap *= (w - 2 * u - gaps) / text_w
            text_w = sum(pen.size(k, cap, True)[0] + pen.size(d, cap)[0] for k, d in parts)
        total = text_w + gaps
        x, y = (w - total) / 2, h - kh / 2 + cap / 2
        for k, d in parts:
            kw = pen.size(k, cap, True)[0]
            pen.box(x, y - cap * 1.35, x + kw, y + cap * 0.45, (90, 90, 90))
            pen.text(k, x, y, cap, WHITE, bold=True, outline=False)
            x += kw + 0.6 * u
            x += pen.text(d, x, y, cap, LIGHT, outline=False) + 1.9 * u

    def _video(self, pen: Pen, view: LiveView, rect: tuple[float, ...], u: float) -> None:
        x0, y0, x1, y1 = rect
        fh, fw = view.image.shape[:2]
        zoom = min((x1 - x0) / fw, (y1 - y0) / fh)
        vw, vh = max(1, round(fw * zoom)), max(1, round(fh * zoom))
        ox, oy = round(x0 + (x1 - x0 - vw) / 2), round(y0 + (y1 - y0 - vh) / 2)
        frame = cv2.resize(view.image, (vw, vh), interpolation=cv2.INTER_AREA if zoom < 1
                           else cv2.INTER_LINEAR)
        if view.step in ("setup", "rest"):
            frame = (frame * 0.35).astype(np.uint8)
        pen.img[oy:oy + vh, ox:ox + vw] = frame
        state = view.state if view.step == "coaching" else None
        verdicts = state.verdicts if state is not None else ()
        pose = state.pose if state is not None else view.pose
        if view.step not in ("setup", "rest"):
            # lines grow with the window, but never so thick that they hide a small person
            line = min(u / 3.2, 1.5 * zoom * fh / 480)
            draw_skeleton(pen.img, pose, verdicts, self.exercise.min_visibility, line, zoom,
                          (ox, oy))
        if state is not None and state.in_position and not pose.is_empty:
            for r in state.readings:  # angles only while in the stretch, where they mean something
                x, y = pose.point(r.anchor)
                label_box(pen.img, f"{r.label} {r.value:.0f}".strip(),
                          (round(x * zoom + ox + 2.5 * u), round(y * zoom + oy - 2 * u)),
                          0.09 * u * 3.2 / 1.6, degree=r.unit == "deg")
        if state is not None and state.warnings:  # below the frame-rate badge
            self._warnings(pen, state.warnings, (ox, max(oy, y0 + 4 * u), ox + vw, oy + vh), u)
        # status badges: frame rate, pause, voice
        cap = 1.9 * u
        fps = f"{view.fps:.0f} fps  pose {view.pose_ms:.0f} ms"
        fw_ = pen.size(fps, cap)[0]
        pen.box(x0, y0, x0 + fw_ + 2 * u, y0 + cap + 2 * u, BLACK, 0.6)
        pen.text(fps, x0 + u, y0 + cap + u, cap, LIGHT, outline=False)
        badges = []
        if view.voice != "on":
            badges.append("MUTED" if view.voice == "muted" else "NO VOICE")
        x = x1 - u
        for b in badges:
            bw = pen.size(b, cap, True)[0]
            pen.box(x - bw - 2 * u, y0 + u, x, y0 + cap + 3 * u, (60, 60, 60))
            pen.text(b, x - bw - u, y0 + cap + 2 * u, cap, WHITE, bold=True, outline=False)
            x -= bw + 3 * u
        if view.paused and view.step == "coaching":
            pen.box(ox, oy, ox + vw, oy + vh, BLACK, 0.45)
            cap = 10 * u
            tw = pen.size("PAUSED", cap, True)[0]
            pen.text("PAUSED", ox + (vw - tw) / 2, oy + (vh + cap) / 2, cap, WHITE, bold=True)

    @staticmethod
    def _warnings(pen: Pen, warnings: tuple[str, ...], rect: tuple[float, ...], u: float) -> None:
        """What limits what the coach can see (out of frame, filmed end-on, a check the view
        hides), in amber on a dark strip across the top of the picture (a person on the floor is
        mostly in its lower part), readable from the mat."""
        x0, top, x1, _ = rect
        cap = 2.4 * u
        lines = [line for text in warnings[:3] for line in pen.wrap(f"! {text}", cap, x1 - x0 - 3 * u)]
        step = cap + 1.8 * u
        pen.box(x0, top, x1, top + len(lines) * step + 1.2 * u, BLACK, 0.6)
        for i, text in enumerate(lines):
            pen.text(text, x0 + 1.5 * u, top + (i + 1) * step - 0.6 * u, cap, AMBER, outline=False)

    def _setup(self, pen: Pen, view: LiveView, w: int, bottom: float, u: float) -> None:
        ex, rs = self.exercise, view.routine
        x, width = 6 * u, w - 12 * u
        y = 4 * u
        if rs is not None:  # a routine's step: where it stands
            head = f"{rs.title}: step {rs.index} of {rs.count}"
            cap = pen.fit(head, 3.6 * u, width)
            y += cap
            pen.text(head, x, y, cap, LIGHT)
            y += 2 * u
        cap = pen.fit(ex.title, 7 * u, width, True)
        y += cap
        pen.text(ex.title, x, y, cap, WHITE, bold=True)
        y += 3 * u
        blocks = [("Safety", SAFETY_NOTE, AMBER), ("Camera", ex.camera.placement, WHITE)]
        if rs is not None:
            side = f", {rs.side} side first" if rs.side and rs.sides == "both" else ""
            blocks.insert(0, ("This step", f"{_target(rs)}{side}. {ex.position_cue}.", WHITE))
        if ex.summary:
            blocks.append(("The stretch", ex.summary, WHITE))
        cap = 3.6 * u
        indent = max(pen.size(head, cap, True)[0] for head, _, _ in blocks) + 3 * u
        for head, text, colour in blocks:
            lines = pen.wrap(text, cap, width - indent)
            if y + cap * 1.6 * len(lines) > bottom - 2 * u:
                break
            y += cap * 1.6
            pen.text(head, x, y, cap, colour, bold=True)
            for line in lines:
                pen.text(line, x + indent, y, cap, colour)
                y += cap * 1.6
            y += 1.5 * u

    @staticmethod
    def _big_count(pen: Pen, view: LiveView, vid: tuple[float, ...], u: float) -> None:
        """The seconds left, large, in the middle of the video."""
        n = f"{int(np.ceil(view.left_s or 0))}"
        cap = 30 * u
        tw = pen.size(n, cap, True)[0]
        x0, y0, x1, y1 = vid
        pen.text(n, (x0 + x1 - tw) / 2, (y0 + y1 + cap) / 2, cap, WHITE, bold=True)

    def _countdown(self, pen: Pen, view: LiveView, vid: tuple[float, ...],
                   panel: tuple[float, ...], u: float) -> None:
        self._big_count(pen, view, vid, u)
        px0, py0, px1, _ = panel
        ex = self.exercise
        y = py0 + 4 * u
        pen.text(pen_fit(pen, ex.title, 4 * u, px1 - px0), px0, y, 4 * u, WHITE, bold=True)
        y += 8 * u
        cap = pen.fit("Get ready", 6 * u, px1 - px0, True)
        pen.text("Get ready", px0, y, cap, AMBER, bold=True)
        y += 7 * u
        if view.routine is not None:
            target = _target(view.routine)
            pen.text(target, px0, y, pen.fit(target, 3.6 * u, px1 - px0), LIGHT)
            return
        if ex.name == ANY_STRETCH:
            target = "Each stretch: its own hold"
        else:
            target = f"Hold {clock(ex.hold.target_s)}" + (" each side" if ex.sided else "")
        pen.text(target, px0, y, pen.fit(target, 3.6 * u, px1 - px0), LIGHT)
        if ex.reps and ex.name != ANY_STRETCH:
            y += 5 * u
            reps = f"and {ex.reps.target} {ex.reps.label}"
            pen.text(reps, px0, y, pen.fit(reps, 3.6 * u, px1 - px0), LIGHT)

    def _rest(self, pen: Pen, view: LiveView, vid: tuple[float, ...], panel: tuple[float, ...],
              u: float) -> None:
        """A rest between sides or steps: a big count down and what comes next."""
        self._big_count(pen, view, vid, u)
        px0, py0, px1, _ = panel
        pw = px1 - px0
        y = py0 + 5 * u
        head = "Paused" if view.paused else "Rest"
        cap = pen.fit(head, 7 * u, pw, True)
        pen.text(head, px0, y + cap, cap, GREEN if not view.paused else AMBER, bold=True)
        y += cap + 7 * u
        rs = view.routine
        if rs is not None and rs.next:
            for line in pen.wrap(f"Next: {rs.next}", 4 * u, pw):
                pen.text(line, px0, y, 4 * u, WHITE)
                y += 6 * u
        if rs is not None:
            text = f"Step {rs.index} of {rs.count}"
            pen.text(text, px0, y + u, pen.fit(text, 3 * u, pw), LIGHT)

    def _framing_panel(self, pen: Pen, view: LiveView, panel: tuple[float, ...], u: float) -> None:
        px0, py0, px1, _ = panel
        y = py0 + 5 * u
        title = "Framing check"
        cap = pen.fit(title, 5 * u, px1 - px0, True)
        pen.text(title, px0, y, cap, WHITE, bold=True)
        y += 4 * u
        items = view.framing.items if view.framing is not None else ()
        for label, ok in items:
            y += 7 * u
            self._mark(pen, px0 + 2.4 * u, y - 1.8 * u, 2.4 * u, "ok" if ok else "fault")
            pen.text(label, px0 + 6.5 * u, y, pen.fit(label, 3.6 * u, px1 - px0 - 6.5 * u),
                     WHITE)

    @staticmethod
    def _mark(pen: Pen, cx: float, cy: float, r: float, status: str, judged: bool = True) -> None:
        """A large coloured mark: a tick (ok), a cross (fault), a question mark (unseen), an
        open ring (a reminder, or nothing to judge yet)."""
        c = (round(cx), round(cy))
        ri = max(3, round(r))
        th = max(2, round(r / 4))
        if not judged or status == "idle":
            cv2.circle(pen.img, c, ri, LIGHT, th, cv2.LINE_AA)
            return
        colour = {"ok": GREEN, "fault": RED}.get(status, GREY)
        cv2.circle(pen.img, c, ri, colour, -1, cv2.LINE_AA)
        if status == "ok":
            pts = np.array([(cx - 0.5 * r, cy), (cx - 0.1 * r, cy + 0.4 * r),
                            (cx + 0.55 * r, cy - 0.45 * r)], np.int32)
            cv2.polylines(pen.img, [pts], False, WHITE, th, cv2.LINE_AA)
        elif status == "fault":
            d = 0.42 * r
            cv2.line(pen.img, (round(cx - d), round(cy - d)), (round(cx + d), round(cy + d)),
                     WHITE, th, cv2.LINE_AA)
            cv2.line(pen.img, (round(cx - d), round(cy + d)), (round(cx + d), round(cy - d)),
                     WHITE, th, cv2.LINE_AA)
        else:
            tw = pen.size("?", r, True)[0]
            pen.text("?", cx - tw / 2, cy + r / 2, r, WHITE, bold=True, outline=False)

    def _panel(self, pen: Pen, st: FrameState, panel: tuple[float, ...], u: float,
               recognition: object | None, routine: RoutineStatus | None = None) -> None:
        ex = self.exercise
        px0, py0, px1, py1 = panel
        pw = px1 - px0
        y = py0
        if st.seeking:  # no --exercise, and no stretch recognised yet
            self._seeking(pen, panel, u, recognition)
            return
        title = ex.title if routine is None else f"{routine.index}/{routine.count}  {ex.title}"
        cap = pen.fit(title, 3.4 * u, pw, True)
        y += cap + u
        pen.text(title, px0, y, cap, LIGHT, bold=True)
        if recognition is not None:  # a recogniser's guess: "label (confidence)"
            label = getattr(recognition, "label", str(recognition))
            conf = getattr(recognition, "confidence", None)
            text = f"seen: {label}" + (f" {conf:.0%}" if conf is not None else "")
            y += 3.6 * u
            pen.text(text, px0, y, pen.fit(text, 2.6 * u, pw), GREY)
        # side
        side = side_name(st.side).upper() if st.side else "FIND POSITION"
        colour = GREEN if st.in_position else AMBER
        cap = pen.fit(side, 5.5 * u, pw, True)
        y += cap + 2.5 * u
        pen.text(side, px0, y, cap, colour, bold=True)
        # the hold timer: this side's time in good form, against the target
        held = st.totals[st.side].hold_s if st.side else 0.0
        good = st.in_position and not any(v.status == "fault" for v in st.verdicts)
        faulty = st.in_position and not good
        target = _hold_target(ex, routine)
        timer = clock(held)
        cap = pen.fit(timer + "  ", 14 * u, pw * 0.62, True)
        y += cap + 3 * u
        tw = pen.text(timer, px0, y, cap, GREEN if good else (AMBER if faulty else WHITE),
                      bold=True)
        of = f"/ {clock(target)}"
        pen.text(of, px0 + tw + 1.5 * u, y, pen.fit(of, 4.5 * u, pw - tw - 1.5 * u), LIGHT)
        status = ("counting" if good else "timer stopped: fix your form" if faulty
                  else "timer waits for the position")
        y += 4.6 * u
        pen.text(status, px0, y, pen.fit(status, 3 * u, pw), LIGHT)
        # progress toward the target
        y += 2 * u
        frac = min(1.0, held / target) if target else 0.0
        pen.box(px0, y, px1, y + 2.4 * u, (70, 70, 70))
        pen.box(px0, y, px0 + pw * frac, y + 2.4 * u, GREEN if frac >= 1 else (220, 170, 60))
        y += 2.4 * u
        # left against right: one bar per side, each filling toward the target
        y += 2.5 * u
        y = self._balance(pen, st, px0, px1, y, u, routine)
        # the checks, as large marks
        rows = [v for v in st.verdicts]
        room = py1 - y
        row_h = min(6.2 * u, room / max(1, len(rows))) if rows else 0
        for v in rows:
            if row_h < 2.5 * u:
                break
            y += row_h
            r = min(2.3 * u, row_h * 0.4)
            self._mark(pen, px0 + r, y - row_h / 2 + 0.3 * u, r, v.status, v.judged)
            label = _check_label(v)
            cap = pen.fit(label, min(3.4 * u, row_h * 0.55), pw - 2 * r - 2 * u)
            colour = RED if v.status == "fault" and v.judged else WHITE
            pen.text(label, px0 + 2 * r + 2 * u, y - row_h / 2 + cap / 2 + 0.3 * u, cap,
                     (90, 90, 255) if colour == RED else colour)

    @staticmethod
    def _seeking(pen: Pen, panel: tuple[float, ...], u: float, recognition: object | None) -> None:
        """Before any stretch is recognised: what the coach is waiting for, and what it sees."""
        px0, py0, px1, _ = panel
        pw = px1 - px0
        y = py0
        cap = pen.fit("Which stretch?", 3.4 * u, pw, True)
        y += cap + u
        pen.text("Which stretch?", px0, y, cap, LIGHT, bold=True)
        if recognition is not None:
            label = getattr(recognition, "label", str(recognition))
            conf = getattr(recognition, "confidence", None)
            text = f"seen: {label}" + (f" {conf:.0%}" if conf is not None else "")
            y += 3.6 * u
            pen.text(text, px0, y, pen.fit(text, 2.6 * u, pw), GREY)
        for text, size, colour, bold in (("GET INTO", 5.5, AMBER, True), ("A STRETCH", 5.5, AMBER, True),
                                         ("The coach names the stretch", 3.0, LIGHT, False),
                                         ("and the side it sees, then", 3.0, LIGHT, False),
                                         ("times and checks it.", 3.0, LIGHT, False)):
            cap = pen.fit(text, size * u, pw, bold)
            y += cap + (2.5 if bold else 1.6) * u
            pen.text(text, px0, y, cap, colour, bold=bold)

    def _balance(self, pen: Pen, st: FrameState, px0: float, px1: float, y: float,
                 u: float, routine: RoutineStatus | None = None) -> float:
        ex = self.exercise
        target = _hold_target(ex, routine)
        # a routine's step has its own target: its reps, or none if it asks for a hold
        reps_target = routine.reps if routine is not None else (
            ex.reps.target if ex.reps else None)
        cap = 3.4 * u
        label_w = pen.size("R", cap, True)[0] + 2 * u
        time_w = pen.size("10:00", 3 * u)[0] + 2 * u
        if ex.reps:
            time_w += pen.size(" 3/3", 3 * u)[0]
        bar0, bar1 = px0 + label_w, px1 - time_w
        if not ex.sided:  # one hold: the progress bar above says it all
            return y
        for side in ("left", "right"):
            tot = st.totals[side]
            y += cap + 1.8 * u
            active = st.side == side
            pen.text(side[0].upper(), px0, y, cap, WHITE if active else LIGHT, bold=True)
            top, bh = y - cap, cap
            pen.box(bar0, top, bar1, top + bh, (70, 70, 70))
            frac = min(1.0, tot.hold_s / target) if target else 0.0
            behind = st.balance.imbalanced and st.balance.behind == side
            colour = GREEN if frac >= 1 else (AMBER if behind else (220, 170, 60))
            pen.box(bar0, top, bar0 + (bar1 - bar0) * frac, top + bh, colour)
            if active:
                cv2.rectangle(pen.img, (round(bar0), round(top)), (round(bar1), round(top + bh)),
                              WHITE, max(1, round(u / 3)))
            text = clock(tot.hold_s)
            if reps_target:
                text += f" {tot.reps}/{reps_target}"
            pen.text(text, bar1 + u, y, pen.fit(text, 3 * u, time_w - u), WHITE)
        return y + 1.5 * u

    def _routine_summary(self, pen: Pen, s: RoutineSummary, w: int, bottom: float,
                         u: float) -> None:
        x, width = 6 * u, w - 12 * u
        y = 4 * u
        head = f"{s.title}: {s.verdict}" if s.subtitle is None else s.title
        cap = pen.fit(head, 6 * u, width, True)
        y += cap
        pen.text(head, x, y, cap, GREEN if s.verdict == "complete" else AMBER, bold=True)
        y += 2 * u
        sub = s.subtitle if s.subtitle is not None else f"{s.steps_done} of {len(s.steps)} steps done"
        y += 3.6 * u
        pen.text(sub, x, y, 3.6 * u, LIGHT)
        y += 1.5 * u
        cap = min(3.4 * u, (bottom - y - 8 * u) / max(1, 2 * len(s.steps)) / 1.5)
        for i, title, status, detail in s.steps:
            y += cap * 1.8
            tag = f"{i}. {title}: {status}"
            pen.text(pen_fit(pen, tag, cap, width), x, y, cap, _status_colour(status), bold=True)
            if detail:  # what it came to, on the line below
                y += cap * 1.5
                pen.text(pen_fit(pen, detail, cap * 0.85, width - 4 * u), x + 4 * u, y,
                         cap * 0.85, WHITE)
        lines = ([f"Report: {s.report_path}"] if s.report_path is not None else []) + \
            ["Press Q to close"]
        for text in lines:
            y += 3 * u * 1.7
            if y > bottom - u:
                return
            pen.text(text, x, y, 3 * u, GREY)

    def _summary(self, pen: Pen, s: Summary, w: int, bottom: float, u: float) -> None:
        x, width = 6 * u, w - 12 * u
        y = 4 * u
        head = f"{s.title}: summary"
        cap = pen.fit(head, 7 * u, width, True)
        y += cap
        pen.text(head, x, y, cap, WHITE, bold=True)
        y += 4 * u
        for line in s.sides:
            reps = f"   {line.reps}/{line.reps_target} {s.rep_label}" if line.reps_target else ""
            reps += f"   {line.breath_count}" if line.breath_count else ""
            text = f"{line.side.capitalize()}  {clock(line.hold_s)} of {clock(line.target_s)}{reps}"
            cap = pen.fit(text + "   ", 6 * u, width - 8 * u, True)
            y += cap + 2.5 * u
            self._mark(pen, x + 2.6 * u, y - cap / 2, 2.6 * u, "ok" if line.done else "idle")
            pen.text(text, x + 8 * u, y, cap, GREEN if line.done else WHITE, bold=True)
        rest = [(f"{s.completion}  {s.balance}", LIGHT)]
        if s.top_fault:
            title, n, fix = s.top_fault
            rest.append((f"Most frequent fault: {title} ({n}x)", (90, 90, 255)))
            rest.append((f"Fix: {fix}", WHITE))
        else:
            rest.append(("No form faults: well done.", GREEN))
        if s.report_path is not None:
            rest.append((f"Report: {s.report_path}", LIGHT))
        rest.append(("Press Q to close", GREY))
        cap = 3.6 * u
        y += 2 * u
        for text, colour in rest:
            for line in pen.wrap(text, cap, width):
                y += cap * 1.7
                if y > bottom - u:
                    return
                pen.text(line, x, y, cap, colour)


def _status_colour(status: str):
    return {"done": GREEN, "partial": AMBER, "missing": (90, 90, 255)}.get(status, GREY)


def _hold_target(ex: Exercise, routine: RoutineStatus | None) -> float:
    """The hold timer's target: a routine step's (in seconds, or breaths at its pace), else the
    exercise's."""
    if routine is not None and routine.target_s is not None:
        return routine.target_s
    return ex.hold.target_s


def _target(rs: RoutineStatus) -> str:
    """'Hold 0:30 each side', '5 breaths (0:25) each side', '5 reps' for a routine's step."""
    where = {"both": " each side", "left": " on the left", "right": " on the right"}.get(rs.sides, "")
    if rs.reps is not None:
        return f"{rs.reps} reps{where}"
    return f"Hold {rs.target_text()}{where}"


def pen_fit(pen: Pen, text: str, cap: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` at ``cap``."""
    if pen.size(text, cap, True)[0] <= width:
        return text
    while len(text) > 1 and pen.size(text + "...", cap, True)[0] > width:
        text = text[:-1]
    return text + "..."


def _check_label(v: Verdict) -> str:
    if not v.judged:
        return f"{v.title} (reminder)"
    return f"{v.title}: can't see" if v.status == "unseen" else v.title
