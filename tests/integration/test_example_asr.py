"""examples/asr: speech to text on PocketSphinx, behind the Whisper application's endpoint.

One server for the module (each replica loads the model and transcribes its warm-up clip before
it is ready). The clips of Debian's pocketsphinx-testdata are transcribed and scored: the word
error rate over all of them must stay under 35%.
"""
import io
import shutil
import sys
import warnings
import wave
from pathlib import Path

import pytest
import requests

from conftest import SOURCE_DIR, Server

EXAMPLE = SOURCE_DIR / "examples" / "asr"
TEST_DATA = Path("/usr/share/pocketsphinx/test/data")
MAX_WER = 0.35

sys.path.insert(0, str(EXAMPLE))
import wer  # noqa: E402  (the example's own scorer, shared with its application test)

with warnings.catch_warnings():  # deprecated in 3.11, gone in 3.13; the example uses it too
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("asr")
    shutil.copytree(EXAMPLE, work / "app")
    srv = Server(["--config", str(work / "app" / "ssf_config.yaml")], cwd=work, timeout=300)
    yield srv
    assert srv.stop() == 0, srv.output


def transcribe(server, filename, data):
    return requests.post(server.url + "/v1/asr", files={"file": (filename, data)}, timeout=300)


def wav_bytes(pcm, rate, channels=1, width=2):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


def test_warm_up_runs_before_ready(server):
    assert "ASR ready: model loaded in" in server.log
    assert "warm-up on warmup.wav" in server.log
    assert "'go forward ten meters'" in server.log


def test_word_error_rate_over_the_test_clips(server):
    clips = [("goforward.raw", (TEST_DATA / "goforward.raw").read_bytes(), "go forward ten meters")]
    references = wer.librivox_transcriptions(str(TEST_DATA / "librivox" / "transcription"))
    for fileid, reference in sorted(references.items()):
        clips.append((fileid + ".wav", (TEST_DATA / "librivox" / (fileid + ".wav")).read_bytes(),
                      reference))
    assert len(clips) == 6
    total_errors = total_words = 0
    for filename, data, reference in clips:
        r = transcribe(server, filename, data)
        assert r.status_code == 200, r.text
        text = r.json()["result"]
        errors, count = wer.wer(reference, text)
        total_errors += errors
        total_words += count
        print(f"{filename}: WER {errors}/{count} = {errors / count:.1%}: '{text}'")
    total = total_errors / total_words
    print(f"total WER {total_errors}/{total_words} = {total:.1%}")
    assert total < MAX_WER


def test_wav_at_other_rates_and_layouts(server):
    pcm = (TEST_DATA / "goforward.raw").read_bytes()
    up, _ = audioop.ratecv(pcm, 2, 1, 16000, 44100, None)
    stereo_44k = wav_bytes(audioop.tostereo(up, 2, 1, 1), 44100, channels=2)
    down, _ = audioop.ratecv(pcm, 2, 1, 16000, 8000, None)
    mono_8k_u8 = wav_bytes(audioop.bias(audioop.lin2lin(down, 2, 1), 1, 128), 8000, width=1)
    wide, _ = audioop.ratecv(pcm, 2, 1, 16000, 48000, None)
    mono_48k_24 = wav_bytes(audioop.lin2lin(wide, 2, 3), 48000, width=3)
    for name, data in [("stereo44k.wav", stereo_44k), ("mono8k_u8.wav", mono_8k_u8),
                       ("mono48k_s24.WAV", mono_48k_24)]:
        r = transcribe(server, name, data)
        assert r.status_code == 200, (name, r.text)
        errors, count = wer.wer("go forward ten meters", r.json()["result"])
        print(f"{name}: '{r.json()['result']}'")
        assert errors <= 1, (name, r.json())


def test_a_wav_needs_no_wav_name_and_raw_needs_a_raw_name(server):
    pcm = (TEST_DATA / "goforward.raw").read_bytes()
    r = transcribe(server, "upload.bin", wav_bytes(pcm, 16000))
    assert r.status_code == 200 and r.json()["result"] == "go forward ten meters", r.text
    r = transcribe(server, "speech.PCM", pcm)
    assert r.status_code == 200 and r.json()["result"] == "go forward ten meters", r.text


@pytest.mark.parametrize("filename,data,why", [
    ("speech.mp3", b"ID3\x03\x00\x00" + bytes(200), "MP3 data"),
    ("speech.flac", b"fLaC" + bytes(200), "FLAC data"),
    ("speech.ogg", b"OggS" + bytes(200), "Ogg data"),
    ("notes.txt", b"hello, this is not audio", "unrecognised data (a .txt file)"),
    ("empty.wav", b"", "an empty file"),
    ("odd.raw", b"\x01\x02\x03", "not whole 16-bit samples"),
    ("broken.wav", b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00", "without a valid 'fmt ' chunk"),
])
def test_anything_else_is_refused_with_400(server, filename, data, why):
    r = transcribe(server, filename, data)
    assert r.status_code == 400, r.text
    # The application's reason reaches the client (and the log); the replica keeps serving.
    detail = r.json()["detail"]
    assert why in detail, detail
    assert why in server.log
    ok = transcribe(server, "goforward.raw", (TEST_DATA / "goforward.raw").read_bytes())
    assert ok.status_code == 200, ok.text


def test_float_and_compressed_wav_encodings(server):
    import array
    import struct
    pcm = (TEST_DATA / "goforward.raw").read_bytes()
    floats = array.array("f", (s / 32768 for s in array.array("h", pcm))).tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 16000 * 4, 4, 32)
    float_wav = (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(floats)) + b"WAVE" +
                 b"fmt " + struct.pack("<I", len(fmt)) + fmt +
                 b"data" + struct.pack("<I", len(floats)) + floats)
    r = transcribe(server, "float.wav", float_wav)
    assert r.status_code == 200 and r.json()["result"] == "go forward ten meters", r.text
    adpcm = struct.pack("<HHIIHH", 2, 1, 16000, 8000, 256, 4)
    adpcm_wav = (b"RIFF" + struct.pack("<I", 4 + 8 + len(adpcm) + 8 + 4) + b"WAVE" +
                 b"fmt " + struct.pack("<I", len(adpcm)) + adpcm + b"data" + struct.pack("<I", 4) +
                 bytes(4))
    r = transcribe(server, "adpcm.wav", adpcm_wav)
    assert r.status_code == 400
    assert "WAV with 4-bit samples" in r.json()["detail"]


def test_the_application_tests_pass_under_gc_ssf_test(server):
    import subprocess
    from conftest import GC_SSF
    cwd = server.cwd / "test-cwd"
    cwd.mkdir(exist_ok=True)
    proc = subprocess.run([GC_SSF, "--config", str(server.cwd / "app" / "ssf_config.yaml"),
                           "--host", "127.0.0.1", "--port", str(server.port),
                           "--test-skip-start", "test"],
                          cwd=cwd, capture_output=True, text=True, timeout=600)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # ready, root, begin, 6 clips, the refused MP3, the total WER, end
    assert "OK 12 KO 0" in proc.stdout
    assert "total WER" in proc.stdout
