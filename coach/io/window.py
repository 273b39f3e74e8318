"""The live window: opens large and resizable, shows a canvas drawn at its own size, and reads
keys. OpenCV's HighGUI must be used from the main thread; nothing here blocks for long."""

from __future__ import annotations

import cv2
import numpy as np

from coach.errors import CoachError


class Window:
    """A resizable OpenCV window of ``size`` (or fullscreen). ``size()`` is the drawable area
    now, so the screen can be drawn 1:1 at whatever size the person made it."""

    def __init__(self, title: str, size: tuple[int, int] = (1280, 720),
                 fullscreen: bool = False) -> None:
        self.title, self._size = title, size
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as e:
            raise CoachError(f"cannot open a window (is a display available?): "
                             f"{str(e).strip().splitlines()[-1]}") from None
        cv2.resizeWindow(title, *size)
        self.fullscreen = False
        if fullscreen:
            self.toggle_fullscreen()
        self._shown = False

    def size(self) -> tuple[int, int]:
        try:
            _, _, w, h = cv2.getWindowImageRect(self.title)
        except cv2.error:
            return self._size
        # before Qt has laid the window out it reports a tiny area: keep the asked-for size
        return (w, h) if self._shown and w >= 320 and h >= 240 else self._size

    def show(self, canvas: np.ndarray) -> None:
        cv2.imshow(self.title, canvas)
        if not self._shown:  # Qt sizes a window by its first image: set the size after it
            self._shown = True
            if not self.fullscreen:
                cv2.resizeWindow(self.title, *self._size)
                cv2.moveWindow(self.title, 0, 0)

    def key(self, wait_ms: int = 1) -> int:
        """The key pressed (or -1); ``27`` (Esc) also when the window was closed."""
        k = cv2.waitKey(max(1, wait_ms))
        if self._shown and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            return 27
        return k & 0xFF if k >= 0 else -1

    def toggle_fullscreen(self) -> None:
        self.fullscreen = not self.fullscreen
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN,
                              cv2.WINDOW_FULLSCREEN if self.fullscreen else cv2.WINDOW_NORMAL)
        if not self.fullscreen:
            cv2.resizeWindow(self.title, *self._size)

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
