"""Spoken cues: an offline speech engine's command line behind a :class:`Voice`, and a
:class:`Speaker` that says one thing at a time, most urgent first, with a cooldown per phrase.

Engines, first found wins: ``espeak-ng`` or ``espeak`` (Linux, Windows, macOS with Homebrew),
``say`` (macOS), Windows' own SAPI voice through PowerShell. :class:`WavVoice` speaks into a WAV
file instead of the speakers, each phrase placed at the moment it was said, to check what was
said and that no two phrases overlap.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

STALE_S = 3.0  # a phrase still waiting this long after it was asked for is old news: dropped


@dataclass(frozen=True)
class Utterance:
    """One phrase to say. ``priority``: lower is more urgent (0: a safety fault);
    ``cooldown_s``: the same text is not said again within this long; ``fresh_s``: a phrase
    still waiting its turn this long after it was asked for is old news and dropped."""

    text: str
    priority: int = 5
    cooldown_s: float = 10.0
    fresh_s: float = STALE_S


@dataclass(frozen=True)
class Said:
    """A phrase as it was said: wall-clock start and end (``time.monotonic``)."""

    text: str
    start: float
    end: float


class Voice(Protocol):
    name: str

    def say(self, text: str) -> None:
        """Say ``text`` and return once it has been said."""
        ...

    def close(self) -> None: ...


class CommandVoice:
    """A speech engine's command line, given the text on stdin; blocks until it has spoken."""

    def __init__(self, argv: list[str], name: str) -> None:
        self.argv, self.name = argv, name

    def say(self, text: str) -> None:
        # a phrase the engine could not say is skipped; coaching goes on
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(self.argv, input=text, text=True, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        pass


def _espeak() -> str | None:
    for exe in ("espeak-ng", "espeak"):
        if path := shutil.which(exe):
            return path
    if sys.platform == "win32":  # the eSpeak NG installer does not put itself on PATH
        for base in (os.environ.get("PROGRAMFILES", ""), os.environ.get("PROGRAMFILES(X86)", "")):
            exe = Path(base) / "eSpeak NG" / "espeak-ng.exe"
            if base and exe.is_file():
                return str(exe)
    return None


def find_voice(words_per_minute: int = 150) -> Voice | None:
    """The first offline speech engine found on this machine, or None."""
    if exe := _espeak():
        return CommandVoice([exe, "-s", str(words_per_minute), "--stdin"], Path(exe).stem)
    if sys.platform == "darwin" and (exe := shutil.which("say")):
        return CommandVoice([exe, "-r", str(words_per_minute)], "say")
    if sys.platform == "win32" and (exe := shutil.which("powershell")):
        script = ("Add-Type -AssemblyName System.Speech; $s = New-Object "
                  "System.Speech.Synthesis.SpeechSynthesizer; $s.Rate = -1; "
                  "$s.Speak([Console]::In.ReadToEnd())")
        return CommandVoice([exe, "-NoProfile", "-Command", script], "Windows speech")
    return None


class WavVoice:
    """Speaks into ``path`` (mono 16-bit WAV) instead of the speakers: each phrase is made with
    ``espeak-ng -w``, placed at the moment it was said, and its length waited out as a speaker
    would. The track is written on :meth:`close`, with ``PATH.tsv`` beside it listing each
    phrase's start and end (seconds into the track) and text."""

    name = "wav"

    def __init__(self, path: Path, words_per_minute: int = 150,
                 clock: Callable[[], float] = time.monotonic) -> None:
        exe = _espeak()
        if exe is None:
            raise FileNotFoundError("espeak-ng")
        self.path, self.exe, self.wpm, self.clock = Path(path), exe, words_per_minute, clock
        self.t0 = clock()
        self.rate = 22050
        self.clips: list[tuple[float, np.ndarray]] = []
        self.texts: list[str] = []

    def say(self, text: str) -> None:
        start = self.clock() - self.t0
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "say.wav"
            subprocess.run([self.exe, "-s", str(self.wpm), "-w", str(out), "--stdin"], input=text,
                           text=True, timeout=30, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            if not out.exists():
                return
            with wave.open(str(out)) as w:
                self.rate = w.getframerate()
                samples = np.frombuffer(w.readframes(w.getnframes()), np.int16)
        self.clips.append((start, samples))
        self.texts.append(text)
        left = start + len(samples) / self.rate - (self.clock() - self.t0)
        if left > 0:
            time.sleep(left)

    def close(self) -> None:
        if not self.clips:
            return
        end = max(s + len(c) / self.rate for s, c in self.clips)
        track = np.zeros(int(end * self.rate) + 1, np.int32)
        for s, c in self.clips:
            i = int(s * self.rate)
            track[i:i + len(c)] += c
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(self.path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(np.clip(track, -32768, 32767).astype(np.int16).tobytes())
        rows = [f"{s:.3f}\t{s + len(c) / self.rate:.3f}\t{text}"
                for (s, c), text in zip(self.clips, self.texts, strict=True)]
        self.path.with_name(self.path.name + ".tsv").write_text("start_s\tend_s\ttext\n"
                                                                 + "\n".join(rows) + "\n")
        self.clips, self.texts = [], []


class Speaker:
    """Says phrases one at a time on its own thread, so the coaching loop never waits. Only
    one phrase waits its turn: a more urgent one replaces it, a less urgent one is dropped
    while it is fresh. A phrase said less than its cooldown ago is not said again. ``said``
    lists what was said, with when. Without a voice (or muted) it says nothing."""

    def __init__(self, voice: Voice | None, muted: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.voice, self.muted, self.clock = voice, muted, clock
        self.said: list[Said] = []
        self._last: dict[str, float] = {}
        self._pending: tuple[Utterance, float] | None = None
        self._busy = False
        self._stop = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        if voice is not None:
            self._thread = threading.Thread(target=self._run, name="coach-speech", daemon=True)
            self._thread.start()

    @property
    def available(self) -> bool:
        return self.voice is not None

    def toggle_mute(self) -> bool:
        with self._cond:
            self.muted = not self.muted
            if self.muted:
                self._pending = None
            return self.muted

    def say(self, u: Utterance) -> None:
        if self.voice is None or self.muted or not u.text:
            return
        now = self.clock()
        with self._cond:
            last = self._last.get(u.text)
            if last is not None and now - last < u.cooldown_s:
                return
            pending = self._pending
            if (pending is None or u.priority <= pending[0].priority
                    or now - pending[1] > pending[0].fresh_s):
                self._pending = (u, now)
                self._cond.notify_all()

    def _run(self) -> None:
        assert self.voice is not None
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._pending is None:
                    return
                u, asked = self._pending
                self._pending = None
                now = self.clock()
                last = self._last.get(u.text)
                if now - asked > u.fresh_s or (last is not None and now - last < u.cooldown_s):
                    continue
                self._last[u.text] = now
                self._busy = True
            start = self.clock()
            self.voice.say(u.text)
            with self._cond:
                self.said.append(Said(u.text, start, self.clock()))
                self._busy = False
                self._cond.notify_all()

    def wait(self, timeout: float = 10.0) -> None:
        """Wait until nothing is being said or waiting to be said (at most ``timeout``)."""
        end = self.clock() + timeout
        with self._cond:
            while (self._pending is not None or self._busy) and self.clock() < end:
                self._cond.wait(0.1)

    def close(self, drain_s: float = 0.0) -> None:
        """Stop, after letting what is waiting be said for up to ``drain_s``."""
        if drain_s > 0:
            self.wait(drain_s)
        with self._cond:
            self._stop = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.voice is not None:
            self.voice.close()
