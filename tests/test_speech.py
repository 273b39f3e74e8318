"""Spoken cues: one phrase at a time, the most urgent first, a cooldown per phrase, nothing
without a voice; and, where espeak-ng is installed, real speech into a WAV file."""

from __future__ import annotations

import shutil
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from coach.output.speech import Speaker, Utterance, WavVoice


class SlowVoice:
    """Takes ``seconds`` per phrase and notes when each began and ended, and if two ever
    overlapped."""

    name = "slow"

    def __init__(self, seconds: float = 0.15) -> None:
        self.seconds = seconds
        self.busy = threading.Lock()
        self.overlapped = False
        self.said: list[str] = []

    def say(self, text: str) -> None:
        if not self.busy.acquire(blocking=False):
            self.overlapped = True
            return
        try:
            self.said.append(text)
            time.sleep(self.seconds)
        finally:
            self.busy.release()

    def close(self) -> None:
        pass


def test_phrases_never_overlap_and_the_urgent_one_goes_first():
    voice = SlowVoice()
    sp = Speaker(voice)
    sp.say(Utterance("first", 5))
    time.sleep(0.05)  # "first" is being said; the next ones wait their turn
    sp.say(Utterance("breathe", 6))
    sp.say(Utterance("hips down", 0))  # more urgent: replaces the waiting one
    sp.say(Utterance("a reminder", 5))  # less urgent than what waits: dropped
    sp.close(drain_s=2)
    assert voice.said == ["first", "hips down"]
    assert not voice.overlapped
    ends = [(s.start, s.end) for s in sp.said]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_a_phrase_is_not_repeated_within_its_cooldown():
    now = [0.0]
    voice = SlowVoice(0.0)
    sp = Speaker(voice, clock=lambda: now[0])
    for t in (0.0, 3.0, 6.0, 10.5):
        now[0] = t
        sp.say(Utterance("hips down", 0, cooldown_s=8.0))
        sp.wait(1)
    sp.close()
    assert voice.said == ["hips down", "hips down"]  # at 0 s and 10.5 s


@pytest.mark.parametrize(("voice", "muted", "said"), [(None, False, []), ("slow", True, [])])
def test_no_voice_or_muted_says_nothing(voice, muted, said):
    v = SlowVoice() if voice else None
    sp = Speaker(v, muted=muted)
    sp.say(Utterance("hello"))
    sp.close(drain_s=0.5)
    assert [s.text for s in sp.said] == said
    assert sp.available is (v is not None)


def test_mute_toggles():
    sp = Speaker(SlowVoice(0.0))
    assert sp.toggle_mute() is True
    sp.say(Utterance("hello"))
    assert sp.toggle_mute() is False
    sp.say(Utterance("again"))
    sp.close(drain_s=1)
    assert [s.text for s in sp.said] == ["again"]


def _segments(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(float), w.getframerate()


@pytest.mark.skipif(not (shutil.which("espeak-ng") or shutil.which("espeak")),
                    reason="no espeak-ng (.ci/run installs it)")
def test_spoken_cues_into_a_wav_are_audible_and_never_overlap(tmp_path: Path):
    path = tmp_path / "said.wav"
    sp = Speaker(WavVoice(path, words_per_minute=220))
    sp.say(Utterance("Let your hips sink back onto the floor", 0))
    time.sleep(0.1)
    sp.say(Utterance("Good form. Breathe and hold", 6))
    sp.close(drain_s=15)
    audio, rate = _segments(path)
    rows = [line.split("\t") for line in path.with_name("said.wav.tsv").read_text().splitlines()[1:]]
    assert [r[2] for r in rows] == ["Let your hips sink back onto the floor",
                                    "Good form. Breathe and hold"]
    spans = [(float(a), float(b)) for a, b, _ in rows]
    assert spans[0][1] <= spans[1][0] + 0.02  # the second began after the first ended
    for a, b in spans:  # each phrase is audible
        clip = audio[int(a * rate):int(b * rate)]
        assert np.sqrt((clip ** 2).mean()) > 300
