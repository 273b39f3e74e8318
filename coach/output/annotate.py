"""Drawing only: annotators take a frame and a FrameState and draw; they decide nothing.

Sizes scale with the frame height, so the overlay reads the same at 480p and 1080p.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from coach.pose import SKELETON, Pose
from coach.pose.core import LANDMARK_INDEX
from coach.rules.definitions import Exercise
from coach.session.frame import FrameState, Verdict, side_name

# BGR colours
GREEN = (80, 200, 80)
RED = (60, 60, 235)
AMBER = (40, 170, 250)
GREY = (150, 150, 150)
WHITE = (245, 245, 245)
BLUE = (230, 160, 60)
DARK = (30, 30, 30)
STATUS_COLOUR = {"ok": GREEN, "fault": RED, "unseen": GREY, "idle": (200, 200, 200)}
CUE_COLOUR = {"fault": RED, "setup": AMBER, "move": BLUE, "breath": BLUE, "good": GREEN,
              "info": (235, 225, 210)}


def _fmt_time(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 60}:{s % 60:02d}"


class Overlay:
    """The coach's overlay: skeleton coloured by check status, key angles, hold timer,
    per-side balance, reps and one cue. The exercise gives the titles and targets; bones whose
    landmarks are seen less than ``min_visibility`` are drawn grey."""

    def __init__(self, exercise: Exercise, min_visibility: float | None = None) -> None:
        self.exercise = exercise
        self.min_vis = exercise.min_visibility if min_visibility is None else min_visibility
        # each panel (the HUD, the checks, the cue) with its texts as one blend, made again
        # only when what it shows changes (about once a second: the timers)
        self._layers: dict[str, _Layer] = {}
        self._texts: list[tuple] | None = None  # while a panel is drawn: its texts, to fuse

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _scale(img: np.ndarray) -> float:
        # by the height, but no more than the width allows (a portrait frame keeps its panels
        # side by side and its cue whole)
        return max(min(img.shape[0], img.shape[1] * 0.75), 240) / 480.0

    def _text(self, img: np.ndarray, text: str, org: tuple[int, int], size: float = 1.0,
              colour: tuple[int, int, int] = WHITE, bold: bool = False) -> int:
        s = self._scale(img)
        fs = 0.5 * s * size
        th = max(1, round(s * (2 if bold else 1)))
        outline = th + max(2, round(2 * s))
        if self._texts is not None:  # part of a panel's layer
            sprite = sprite_for(text, fs, colour, th, outline)
            self._texts.append((sprite, org))
            return sprite.width
        return outlined_text(img, text, org, fs, colour, th, outline)

    def _begin(self) -> None:
        """Collect the texts drawn from here on into a panel's layer (see :meth:`_end`)."""
        self._texts = []

    def _end(self, img: np.ndarray, name: str, box: tuple[int, int, int, int],
             alpha: float = 0.55) -> None:
        """Blend panel ``name`` (``box`` darkened by ``alpha``) and the texts collected since
        :meth:`_begin` onto ``img`` in one pass, as drawing the panel and then each text would
        (to within a grey level: the blend is in 8-bit fixed point)."""
        texts, self._texts = self._texts or [], None
        x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(img.shape[1], box[2]), min(img.shape[0], box[3])
        if x1 <= x0 or y1 <= y0:
            return
        key = ((x0, y0, x1, y1), alpha, tuple((sp.key, org) for sp, org in texts))
        layer = self._layers.get(name)
        if layer is None or layer.key != key:
            layer = self._layers[name] = _Layer(key, (x0, y0, x1, y1), alpha, texts)
        layer.draw(img)

    # -- layers ----------------------------------------------------------------------------
    def _skeleton(self, img: np.ndarray, state: FrameState) -> None:
        s = self._scale(img)
        draw_skeleton(img, state.pose, state.verdicts, self.min_vis, s)
        pose = state.pose
        if state.people > 1 and pose.bbox is not None:
            x0, y0, x1, y1 = (int(v) for v in pose.bbox)
            cv2.rectangle(img, (x0, y0), (x1, y1), AMBER, max(1, round(s)))
            self._text(img, "following this person", (x0, max(12, y0 - 6)), 0.8, AMBER)

    def _angles(self, img: np.ndarray, state: FrameState) -> None:
        """Key measurements written beside the joint they are measured at, on a backing."""
        pose = state.pose
        if pose.is_empty:
            return
        sc = self._scale(img)
        for reading in state.readings:
            x, y = (int(v) for v in pose.point(reading.anchor))
            label_box(img, f"{reading.label} {reading.value:.0f}".strip(),
                      (x + round(14 * sc), y - round(10 * sc)), 0.45 * sc,
                      degree=reading.unit == "deg")

    def _hud(self, img: np.ndarray, state: FrameState) -> None:
        ex, s = self.exercise, self._scale(img)
        h, w = img.shape[:2]
        line = round(22 * s)
        pad = round(8 * s)
        pw = min(w - 2 * pad, round(250 * s))
        rows = 3 + ex.sided + bool(ex.reps)
        x, y = pad * 2, pad + line
        self._begin()  # the panel and its texts as one layer; bars drawn on it after
        if state.seeking:  # without --exercise, before any stretch is recognised
            self._text(img, "Which stretch?", (x, y), 1.05, WHITE, bold=True)
            self._text(img, "looking for a stretch it knows", (x, y + line), 0.85, AMBER)
            self._end(img, "hud", (pad, pad, pad + pw, pad + 2 * line + pad))
            return
        bars: list[tuple[tuple[int, int], tuple[int, int], tuple[int, int, int], int]] = []
        self._text(img, ex.title, (x, y), 1.05, WHITE, bold=True)
        y += line
        side = side_name(state.side) if state.side else "Side: -"
        pos = "in position" if state.in_position else "not in position"
        self._text(img, f"{side}  |  {pos}", (x, y), 0.85,
                   GREEN if state.in_position else AMBER)
        # hold timer with a progress bar toward the target
        y += line
        target = ex.hold.target_s
        self._text(img, f"Hold {_fmt_time(state.hold_s)} / {_fmt_time(target)}", (x, y), 0.9)
        bx0, bx1 = x + round(125 * s), pad + pw - pad
        by = y - round(9 * s)
        bh = max(4, round(8 * s))
        frac = min(1.0, state.hold_s / target) if target else 0.0
        bars.append(((bx0, by), (bx1, by + bh), GREY, 1))
        bars.append(((bx0, by), (bx0 + int((bx1 - bx0) * frac), by + bh),
                     GREEN if frac >= 1 else BLUE, -1))
        mid_line = None
        if not ex.sided:  # one hold, nothing to balance
            if ex.reps:
                y += line
                reps = state.totals[ex.sides[0]].reps
                self._text(img, f"{ex.reps.label.capitalize()}  {reps}/{ex.reps.target}", (x, y),
                           0.85)
        else:
            # balance: left vs right good-form time
            y += line
            left, right = state.totals["left"], state.totals["right"]
            self._text(img, f"L {_fmt_time(left.hold_s)}", (x, y), 0.85)
            self._text(img, f"R {_fmt_time(right.hold_s)}", (pad + pw - round(62 * s), y), 0.85)
            cx0, cx1 = x + round(60 * s), pad + pw - round(70 * s)
            tot = left.hold_s + right.hold_s
            mid = cx0 + (cx1 - cx0) // 2
            bars.append(((cx0, by + line), (cx1, by + line + bh), GREY, 1))
            if tot > 0:
                split = cx0 + int((cx1 - cx0) * left.hold_s / tot)
                colour = AMBER if state.balance.imbalanced else GREEN
                bars.append(((cx0, by + line), (split, by + line + bh), colour, -1))
            mid_line = ((mid, by + line - 2), (mid, by + line + bh + 2))
            if ex.reps:
                y += line
                lbl = ex.reps.label.capitalize()
                self._text(img, f"{lbl}  L {left.reps}/{ex.reps.target}   R {right.reps}/"
                           f"{ex.reps.target}", (x, y), 0.85)
        self._end(img, "hud", (pad, pad, pad + pw, pad + rows * line + pad))
        for p0, p1, colour, thickness in bars:
            cv2.rectangle(img, p0, p1, colour, thickness)
        if mid_line is not None:
            cv2.line(img, *mid_line, WHITE, 1)

    def _checks(self, img: np.ndarray, state: FrameState) -> None:
        s = self._scale(img)
        h, w = img.shape[:2]
        line = round(20 * s)
        pad = round(8 * s)
        n = len(state.verdicts)
        if not n:
            return
        labels = [self._check_label(v) for v in state.verdicts]
        fs, th = 0.5 * s * 0.8, max(1, round(s))
        widest = max(_text_width(lb, fs, th) for lb in labels)
        pw = widest + round(34 * s)
        y = pad + line
        dots = []
        self._begin()
        for v, label in zip(state.verdicts, labels, strict=True):
            colour = STATUS_COLOUR[v.status] if v.judged else WHITE
            cx = w - pw - pad + round(12 * s)
            dots.append(((cx, y - round(5 * s)), colour))
            self._text(img, label, (cx + round(12 * s), y), 0.8, colour if v.status != "idle"
                       else WHITE)
            y += line
        self._end(img, "checks", (w - pad - pw, pad, w - pad, pad + n * line + pad))
        for centre, colour in dots:
            cv2.circle(img, centre, max(3, round(5 * s)), colour, -1, cv2.LINE_AA)

    @staticmethod
    def _check_label(v: Verdict) -> str:
        if not v.judged:
            return f"{v.title} (reminder)"
        return f"{v.title} (can't see)" if v.status == "unseen" else v.title

    def _cue(self, img: np.ndarray, state: FrameState) -> None:
        s = self._scale(img)
        h, w = img.shape[:2]
        if state.cue is None:
            return
        text, colour = state.cue.text, CUE_COLOUR.get(state.cue.kind, WHITE)
        size, tw, th = _fit_text(text, w - 40 * s, 0.5 * s, max(1, round(2 * s)))
        bh = th + round(18 * s)
        self._begin()
        self._text(img, text, ((w - tw) // 2, h - round(9 * s)), size, colour, bold=True)
        self._end(img, "cue", (0, h - bh, w, h), 0.6)
        cv2.rectangle(img, (0, h - bh), (round(8 * s), h), colour, -1)

    def _warnings(self, img: np.ndarray, state: FrameState) -> None:
        """What limits what the coach can see, in amber above the cue bar."""
        if not state.warnings:
            return
        s = self._scale(img)
        h = img.shape[0]
        line, pad = round(18 * s), round(8 * s)
        y = h - round(40 * s) - line * (len(state.warnings) - 1)
        for text in state.warnings:
            self._text(img, f"! {text}", (pad * 2, y), 0.75, AMBER)
            y += line

    def annotate(self, image: np.ndarray, state: FrameState) -> np.ndarray:
        """Draw the overlay on ``image`` (in place) and return it."""
        self._skeleton(image, state)
        self._angles(image, state)
        self._hud(image, state)
        self._checks(image, state)
        self._warnings(image, state)
        self._cue(image, state)
        return image


class _Sprite:
    """Outlined text drawn once, as the weights that blend it onto any picture: ``pixel *
    keep + add`` (the same as drawing the outline, then the text, anti-aliased). ``outline``
    0: the text alone."""

    def __init__(self, text: str, fs: float, colour: tuple[int, int, int], th: int,
                 outline: int, font: int = cv2.FONT_HERSHEY_SIMPLEX) -> None:
        self.key = (text, round(fs, 4), colour, th, outline, font)
        (w, h), base = cv2.getTextSize(text, font, fs, max(outline, th))
        self.width = cv2.getTextSize(text, font, fs, th)[0][0]
        m = max(outline, th)  # room for the outline and the anti-aliasing around the glyphs
        self.dx, self.dy = -m, -(h + m)  # from the text's origin to the sprite's corner
        shape = (h + base + 2 * m, w + 2 * m)
        under, over = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
        if outline:
            cv2.putText(under, text, (m, h + m), font, fs, 255, outline, cv2.LINE_AA)
        cv2.putText(over, text, (m, h + m), font, fs, 255, th, cv2.LINE_AA)
        a_under = (under.astype(np.float32) / 255)[:, :, None]
        a_over = (over.astype(np.float32) / 255)[:, :, None]
        # three channels, so OpenCV blends it in one pass (4x numpy's time otherwise)
        self.keep = np.repeat((1 - a_under) * (1 - a_over), 3, axis=2)
        self.add = (np.array(DARK, np.float32) * a_under * (1 - a_over)
                    + np.array(colour, np.float32) * a_over)

    def draw(self, img: np.ndarray, org: tuple[int, int]) -> None:
        x0, y0 = org[0] + self.dx, org[1] + self.dy
        h, w = self.keep.shape[:2]
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(img.shape[1], x0 + w), min(img.shape[0], y0 + h)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        roi = img[cy0:cy1, cx0:cx1]
        sy, sx = slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0)
        blended = cv2.multiply(roi, self.keep[sy, sx], dtype=cv2.CV_32F)
        cv2.add(blended, self.add[sy, sx], dst=blended)
        cv2.convertScaleAbs(blended, dst=roi)  # rounded to the nearest, in place


_SPRITES: dict[tuple, _Sprite] = {}
_MAX_SPRITES = 512  # a few seconds' worth of changing timers and angles


def sprite_for(text: str, fs: float, colour: tuple[int, int, int], th: int, outline: int,
               font: int = cv2.FONT_HERSHEY_SIMPLEX) -> _Sprite:
    """The outlined text's sprite, rendered once."""
    key = (text, round(fs, 4), colour, th, outline, font)
    sprite = _SPRITES.get(key)
    if sprite is None:
        if len(_SPRITES) >= _MAX_SPRITES:
            _SPRITES.clear()
        sprite = _SPRITES[key] = _Sprite(text, fs, colour, th, outline, font)
    return sprite


def outlined_text(img: np.ndarray, text: str, org: tuple[int, int], fs: float,
                  colour: tuple[int, int, int], th: int, outline: int,
                  font: int = cv2.FONT_HERSHEY_SIMPLEX) -> int:
    """``text`` at ``org`` (bottom-left) in ``colour`` on a dark outline (``outline`` 0: none),
    so it reads on any background; its width. Each text is rendered once and blended after
    (anti-aliased text is the costliest thing the overlay draws)."""
    sprite = sprite_for(text, fs, colour, th, outline, font)
    sprite.draw(img, org)
    return sprite.width


class _Layer:
    """A darkened panel and the texts on it as one blend, ``pixel * keep / 255 + add`` in 8
    bits (two passes of OpenCV's saturating arithmetic over the panel; the panel's own blend
    and one float pass per text before): made once, drawn on every frame until what the
    panel shows changes. ``key``: what it was made from."""

    def __init__(self, key: tuple, box: tuple[int, int, int, int], alpha: float,
                 texts: list[tuple[_Sprite, tuple[int, int]]]) -> None:
        self.key, self.box = key, box
        x0, y0, x1, y1 = box
        # the panel alone, then each text over what is under it (as drawn one by one), in
        # floats only where the texts are
        self.keep = np.full((y1 - y0, x1 - x0, 3), round(255 * (1.0 - alpha)), np.uint8)
        self.add = np.full((y1 - y0, x1 - x0, 3), round(alpha * DARK[0]), np.uint8)
        for sprite, org in texts:
            sx0, sy0 = org[0] + sprite.dx - x0, org[1] + sprite.dy - y0
            h, w = sprite.keep.shape[:2]
            cx0, cy0 = max(0, sx0), max(0, sy0)
            cx1, cy1 = min(self.keep.shape[1], sx0 + w), min(self.keep.shape[0], sy0 + h)
            if cx1 <= cx0 or cy1 <= cy0:
                continue
            part = (slice(cy0, cy1), slice(cx0, cx1))
            own = (slice(cy0 - sy0, cy1 - sy0), slice(cx0 - sx0, cx1 - sx0))
            k = sprite.keep[own]
            keep = self.keep[part] * k
            add = self.add[part] * k + sprite.add[own]
            self.keep[part] = np.clip(np.rint(keep), 0, 255)
            self.add[part] = np.clip(np.rint(add), 0, 255)

    def draw(self, img: np.ndarray) -> None:
        x0, y0, x1, y1 = self.box
        roi = img[y0:y1, x0:x1]
        scaled = cv2.multiply(roi, self.keep, scale=1 / 255)
        cv2.add(scaled, self.add, dst=roi)


def _text_width(text: str, fs: float, th: int) -> int:
    return _text_size(text, fs, th)[0]


@functools.lru_cache(maxsize=1024)
def _text_size(text: str, fs: float, th: int) -> tuple[int, int]:
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, fs, th)
    return w, h


@functools.lru_cache(maxsize=256)
def _fit_text(text: str, width: float, unit: float, th: int) -> tuple[float, int, int]:
    """The size (from 1.1 down in steps of 0.05, not below 0.3) at which ``text`` fits in
    ``width``, and its width and height there (font scale ``unit * size``)."""
    size = 1.1
    tw, h = _text_size(text, unit * size, th)
    while tw > width and size > 0.3:
        size -= 0.05
        tw, h = _text_size(text, unit * size, th)
    return size, tw, h


def draw_skeleton(img: np.ndarray, pose: Pose, verdicts: tuple[Verdict, ...], min_vis: float,
                  s: float, zoom: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> None:
    """The skeleton, each limb coloured by the checks judging it (a fault wins), a ring where
    a fault is measured; bones seen less than ``min_vis`` grey. ``s``: line scale; the pose's
    pixels are mapped by ``zoom`` and ``offset`` (a frame drawn scaled into a bigger screen)."""
    if pose.is_empty:
        return
    # every landmark's pixel and visibility once (a name's lookup per use cost 5 ms a frame)
    pts = np.rint(pose.xy[:, :2] * zoom + offset).astype(int).tolist()
    vis = pose.visibility.tolist()

    def px(name: str) -> tuple[int, int]:
        x, y = pts[LANDMARK_INDEX[name]]
        return x, y

    def seen(name: str) -> float:
        return vis[LANDMARK_INDEX[name]]

    colour_of: dict[str, tuple[int, int, int]] = {}
    for v in verdicts:  # a fault wins over ok on shared landmarks
        if not v.judged:
            continue  # a reminder: leave its limb uncoloured
        for name in v.landmarks:
            if name not in colour_of or v.status == "fault":
                colour_of[name] = STATUS_COLOUR[v.status]
    thick = max(2, round(3 * s))
    under = thick + max(2, round(2 * s))
    for a, b in SKELETON:
        least = min(seen(a), seen(b))
        if least < 0.2:
            continue
        ca, cb = colour_of.get(a), colour_of.get(b)
        colour = ca if (ca is not None and ca == cb) else WHITE  # a bone both ends judge
        if least < min_vis:
            colour = GREY
        pa, pb = px(a), px(b)
        cv2.line(img, pa, pb, DARK, under, cv2.LINE_AA)
        cv2.line(img, pa, pb, colour, thick, cv2.LINE_AA)
    r = max(2, round(3 * s))
    for name in _JOINTS:
        if seen(name) >= 0.2:
            cv2.circle(img, px(name), r, colour_of.get(name, WHITE), -1, cv2.LINE_AA)
    for v in verdicts:  # ring the joint where a fault is measured
        if v.status == "fault" and v.anchor and seen(v.anchor) >= min_vis:
            cv2.circle(img, px(v.anchor), 3 * r, RED, max(2, round(1.5 * s)), cv2.LINE_AA)


_JOINTS = tuple(sorted({n for bone in SKELETON for n in bone}))


def label_box(img: np.ndarray, text: str, org: tuple[int, int], scale: float,
              colour: tuple[int, int, int] = WHITE, degree: bool = False) -> None:
    """``text`` on a dark box at ``org`` (its bottom-left), so it reads on any background
    (a white label on the white skeleton did not). ``degree``: draw a degree sign after it,
    which the Hershey fonts lack."""
    th = max(1, round(2 * scale))
    (tw, tht), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, th)
    pad = max(2, round(6 * scale))
    extra = round(12 * scale) if degree else 0
    x, y = org
    x = min(max(0, x), img.shape[1] - tw - extra - 2 * pad)
    y = min(max(tht + 2 * pad, y), img.shape[0] - base - pad)
    cv2.rectangle(img, (x, y - tht - pad), (x + tw + extra + 2 * pad, y + base + pad // 2), DARK, -1)
    cv2.putText(img, text, (x + pad, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, th, cv2.LINE_AA)
    if degree:
        cv2.circle(img, (x + pad + tw + round(6 * scale), y - tht + round(3 * scale)),
                   max(2, round(3.5 * scale)), colour, max(1, round(1.5 * scale)), cv2.LINE_AA)
