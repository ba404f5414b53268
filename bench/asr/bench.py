"""bench/asr/run.sh's measurements (see there). Prints one table and the overhead per request."""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import requests

DATA = Path("/usr/share/pocketsphinx/test/data")


def clips(smoke):
    out = [("goforward.raw", (DATA / "goforward.raw").read_bytes(), "go forward ten meters")]
    if smoke:
        return out
    import wer
    refs = wer.librivox_transcriptions(str(DATA / "librivox" / "transcription"))
    for fileid, ref in sorted(refs.items()):
        out.append((fileid + ".wav", (DATA / "librivox" / (fileid + ".wav")).read_bytes(), ref))
    return out


def row(name, samples_ms):
    s = sorted(samples_ms)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return f"| {name} | {s[0]:.0f} | {statistics.median(s):.0f} | {p95:.0f} |"


class Baseline:
    """The same decoder, in this process: file -> PCM -> transcript, no server."""

    def __init__(self, example):
        import asr_app
        import asr_audio
        self.audio = asr_audio
        self.rec = asr_app.Recogniser()
        self.rec.transcribe(asr_audio.load_pcm16k(str(example / "warmup.wav")))
        self.tmp = Path(tempfile.mkdtemp())

    def transcribe(self, name, data):
        path = self.tmp / name
        path.write_bytes(data)  # the server writes the upload to a file too
        return self.rec.transcribe(self.audio.load_pcm16k(str(path)))

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class Served:
    """examples/asr under `gc-ssf run`, one replica, on an ephemeral loopback port."""

    def __init__(self, gc_ssf, example):
        self.work = Path(tempfile.mkdtemp())
        shutil.copytree(example, self.work / "app")
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            [gc_ssf, "--config", str(self.work / "app" / "ssf_config.yaml"), "--host",
             "127.0.0.1", "--port", "0", "--stdout-log-level", "INFO", "run"],
            cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        port = None
        for line in self.proc.stdout:
            m = re.search(r"Listening on http://[^:]+:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        while requests.get(self.url + "/health/ready", timeout=5).status_code != 200:
            if time.perf_counter() - start > 300 or self.proc.poll() is not None:
                raise SystemExit("bench/asr: the server did not get ready")
            time.sleep(0.02)
        self.ready_ms = (time.perf_counter() - start) * 1000
        self.session = requests.Session()

    def transcribe(self, name, data):
        r = self.session.post(self.url + "/v1/asr", files={"file": (name, data)}, timeout=300)
        r.raise_for_status()
        return r.json()["result"]

    def close(self):
        self.session.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.work, ignore_errors=True)


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - start) * 1000, out


def total_wer(items, texts):
    import wer
    errors = words = 0
    for name, _, ref in items:
        e, n = wer.wer(ref, texts[name])
        errors, words = errors + e, words + n
    return errors / words


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gc-ssf", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    example = Path(args.source) / "examples" / "asr"
    sys.path[:0] = [str(example), str(Path(args.source) / "templates" / "python")]
    warnings.simplefilter("ignore", DeprecationWarning)
    items = clips(args.smoke)
    audio_s = sum(len(d) - (44 if n.endswith(".wav") else 0) for n, d, _ in items) / 32000

    base, ours = Baseline(example), None
    base_times, times, base_texts, texts = [], [], {}, {}
    try:
        ours = Served(args.gc_ssf, example)
        ready_ms = ours.ready_ms
        # Interleaved, clip by clip, so that a change of load on this shared machine moves both.
        for _ in range(args.rounds):
            for name, data, _ in items:
                ms, base_texts[name] = timed(base.transcribe, name, data)
                base_times.append(ms)
                ms, texts[name] = timed(ours.transcribe, name, data)
                times.append(ms)
    finally:
        base.close()
        if ours:
            ours.close()
    base_med = statistics.median(base_times)
    per_round_base = sum(base_times) / args.rounds / 1000
    per_round = sum(times) / args.rounds / 1000
    print(f"{len(items)} clips, {audio_s:.1f} s of audio, {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print("| what | min ms | median ms | p95 ms |")
    print("|---|---|---|---|")
    print(row("baseline: decode in one process (per clip)", base_times))
    print(row("gc-ssf: POST /v1/asr (per clip)", times))
    diffs = [t - b for t, b in zip(times, base_times)]
    print(row("difference, clip by clip (the overhead)", diffs))
    print(f"| gc-ssf: launch to ready (model load + warm-up) | {ready_ms:.0f} | | |")
    print(f"real-time factor: baseline {per_round_base / audio_s:.2f}, "
          f"gc-ssf {per_round / audio_s:.2f}; serving overhead {statistics.median(diffs):+.0f} ms "
          f"per clip at the median ({statistics.median(diffs) / base_med:+.1%} of a decode)")
    wer_base, wer_ours = total_wer(items, base_texts), total_wer(items, texts)
    print(f"WER: baseline {wer_base:.1%}, gc-ssf {wer_ours:.1%} (same transcripts: "
          f"{base_texts == texts})")
    overhead = statistics.median(diffs) / base_med
    ok = base_texts == texts and (args.smoke or wer_ours < 0.35) and overhead < 0.10
    print(f"target: same transcripts as the baseline, WER < 35%, overhead < 10% of a decode: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
