"""Speech to text with the Whisper application's endpoint contract, on PocketSphinx.

POST /v1/asr with a multipart file field `file` answers {"result": "<transcript>"}, as G-Core's
Whisper SSF application does; Whisper's weights cannot be fetched here, so Debian's PocketSphinx
(python3-pocketsphinx, pocketsphinx-en-us) does the recognition. Each replica loads the model and
transcribes a bundled clip (warmup.wav) before it reports ready, so the first client does not pay
for the load.

Audio that is not WAV or raw 16 kHz PCM is refused with HTTP 400 and the reason
({"detail": "unsupported audio: ..."}): request() raises SSFRequestRejected, which gc-ssf answers
without ending the replica, so a bad upload never costs a model reload. See README.md.
"""
import logging
import os
import time

from ssf.application_interface.application import (SSFApplicationInterface,
                                                   SSFApplicationTestInterface)
from ssf.application_interface.results import (RESULT_FAIL, RESULT_OK,
                                               SSFExceptionUnmetRequirement, SSFRequestRejected)

import asr_audio
import wer

logger = logging.getLogger("asr")

DEBIAN_PACKAGES = "python3-pocketsphinx pocketsphinx-en-us"


def settings(ssf_config) -> dict:
    """The config's `asr:` section (our own; SSF passes unknown sections to applications)."""
    section = (ssf_config.config_dict.get("asr") or {}) if ssf_config else {}
    return {"warmup": str(section.get("warmup", "warmup.wav")),
            "max_seconds": float(section.get("max_seconds", 600))}


class Recogniser:
    """PocketSphinx's default US English model. Not thread-safe: one per replica."""

    def __init__(self):
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as e:
            raise SSFExceptionUnmetRequirement(
                f"PocketSphinx is missing ({e}): apt-get install {DEBIAN_PACKAGES}") from e
        model = get_model_path()
        config = Decoder.default_config()
        config.set_string("-hmm", os.path.join(model, "en-us"))
        config.set_string("-lm", os.path.join(model, "en-us.lm.bin"))
        config.set_string("-dict", os.path.join(model, "cmudict-en-us.dict"))
        config.set_string("-logfn", os.devnull)  # its own log is a page per utterance
        for path in ("en-us", "en-us.lm.bin", "cmudict-en-us.dict"):
            if not os.path.exists(os.path.join(model, path)):
                raise SSFExceptionUnmetRequirement(
                    f"PocketSphinx model file {os.path.join(model, path)} is missing: "
                    f"apt-get install {DEBIAN_PACKAGES}")
        self._config = config  # the decoder keeps a pointer into it
        self._decoder = Decoder(config)

    def transcribe(self, pcm16k: bytes) -> str:
        self._decoder.start_utt()
        self._decoder.process_raw(pcm16k, False, True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        return hypothesis.hypstr if hypothesis else ""


class SpeechToText(SSFApplicationInterface):
    def __init__(self, ssf_config=None):
        self.settings = settings(ssf_config)
        self.recogniser = None

    def build(self) -> int:
        # Nothing to compile; fail early (255, "can't run here") when the model is not installed.
        Recogniser()
        return RESULT_OK

    def startup(self) -> int:
        started = time.perf_counter()
        self.recogniser = Recogniser()
        loaded = time.perf_counter()
        warmup = self.settings["warmup"]
        text = self.recogniser.transcribe(asr_audio.load_pcm16k(warmup))
        done = time.perf_counter()
        logger.info(f"ASR ready: model loaded in {loaded - started:.2f} s, warm-up on {warmup} "
                    f"in {done - loaded:.2f} s: '{text}'")
        if not text:
            logger.error(f"ASR warm-up on {warmup} recognised nothing")
            return RESULT_FAIL
        return RESULT_OK

    def request(self, params: dict, meta: dict) -> dict:
        path = params["file"]
        try:
            pcm = asr_audio.load_pcm16k(path, self.settings["max_seconds"])
        except asr_audio.AudioError as e:
            raise SSFRequestRejected(str(e)) from e  # 400 {"detail": "<why>"}
        started = time.perf_counter()
        text = self.recogniser.transcribe(pcm)
        seconds = len(pcm) / (2 * asr_audio.TARGET_RATE)
        logger.info(f"ASR transcribed {seconds:.2f} s of audio in "
                    f"{time.perf_counter() - started:.2f} s")
        return {"result": text}

    def shutdown(self) -> int:
        self.recogniser = None
        return RESULT_OK

    def watchdog(self) -> int:
        return RESULT_OK if self.recogniser is not None else RESULT_FAIL


# ---- the application's own tests, run by `gc-ssf test` against the served application ----------

TEST_DATA = "/usr/share/pocketsphinx/test/data"  # Debian's pocketsphinx-testdata
MAX_WER = 0.35


def test_clips():
    """(name, file name to upload, bytes, reference) for goforward.raw and the LibriVox clips."""
    librivox = os.path.join(TEST_DATA, "librivox")
    clips = []
    with open(os.path.join(TEST_DATA, "goforward.raw"), "rb") as f:
        clips.append(("goforward", "goforward.raw", f.read(), "go forward ten meters"))
    references = wer.librivox_transcriptions(os.path.join(librivox, "transcription"))
    for fileid, reference in sorted(references.items()):
        with open(os.path.join(librivox, fileid + ".wav"), "rb") as f:
            clips.append((fileid, fileid + ".wav", f.read(), reference))
    return clips


class SpeechToTextTest(SSFApplicationTestInterface):
    """Every test clip, then a refused upload, then the word error rate over all clips."""

    def __init__(self):
        self.clips = []
        self.errors = 0
        self.words = 0

    def begin(self, session, ipaddr: str) -> int:
        try:
            self.clips = test_clips()
        except OSError as e:
            logger.error(f"ASR test data missing ({e}): apt-get install pocketsphinx-testdata")
            return RESULT_FAIL
        return RESULT_OK

    def subtest(self, session, ipaddr: str, index: int):
        url = f"{ipaddr}/v1/asr"
        if index < len(self.clips):
            name, filename, data, reference = self.clips[index]
            response = session.post(url, files={"file": (filename, data)}, timeout=300)
            if response.status_code != 200:
                return False, f"{name}: HTTP {response.status_code} {response.text}", True
            text = response.json().get("result", "")
            errors, count = wer.wer(reference, text)
            self.errors += errors
            self.words += count
            return True, f"{name}: WER {errors / count:.0%} '{text}'", True
        if index == len(self.clips):
            response = session.post(url, files={"file": ("speech.mp3", b"ID3\x03\x00" + bytes(64))},
                                    timeout=60)
            refused = response.status_code == 400 and "unsupported audio" in response.text
            return refused, f"MP3 upload refused: HTTP {response.status_code} {response.text}", True
        total = self.errors / self.words if self.words else 1.0
        return total < MAX_WER, f"total WER {total:.1%} over {self.words} words (< {MAX_WER:.0%})", False

    def end(self, session, ipaddr: str) -> int:
        return RESULT_OK
