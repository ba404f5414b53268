#!/usr/bin/python3
"""Registry benchmark (see run.sh): gc-ssf's registry client beside skopeo, same image, same run.

Every push goes to a fresh docker-registry (plain HTTP on loopback, tests/infra/registry.py), so
that neither client finds a blob already there (skopeo keeps a blob-location cache across runs;
a new registry makes it useless, which is what a cold push means). "MB on wire" is counted
by a TCP proxy (tests/infra/fault_proxy.py) in a separate, untimed run of each client: bytes
client -> registry for a push, registry -> client for a pull, headers included.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SOURCE / "tests" / "infra"))
import oci_image  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from registry import start_registry  # noqa: E402


def run_io(argv, cwd=None, env=None):
    """(seconds, wchar bytes, stdout) of one command: waited with WNOWAIT, so that
    /proc/<pid>/io can be read from the zombie, then reaped. Fails loudly."""
    started = time.perf_counter()
    out_file = tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out_file, stderr=err_file)
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    seconds = time.perf_counter() - started
    wchar = None
    try:
        for line in Path(f"/proc/{proc.pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                wchar = int(line.split()[1])
    except OSError:
        pass
    code = proc.wait()
    out_file.seek(0)
    err_file.seek(0)
    if code != 0:
        raise RuntimeError(f"{argv[0]} failed ({code}): {err_file.read().decode()[-2000:]}")
    return seconds, wchar, out_file.read().decode()


def make_big_image(layout, ref, size_mb, seed):
    # Like a real image: a big base layer, a mid one, the runtime, a small application layer.
    total = size_mb << 20
    sizes = [int(total * 0.6), int(total * 0.25), int(total * 0.14), max(4096, total // 100)]
    layers = [(f"layer{i}/data.bin", s) for i, s in enumerate(sizes)]
    return oci_image.make_image(layout, ref, layers=layers, seed=seed)


def row(table, what, seconds, wchar, note=""):
    table.append((what, seconds, wchar, note))


def print_table(table):
    print(f"| {'what':<52} | {'seconds':>8} | {'MB on wire':>10} | note")
    print(f"|{'-' * 54}|{'-' * 10}:|{'-' * 12}:|------")
    for what, seconds, wchar, note in table:
        mb = "-" if wchar is None else f"{wchar / 1e6:.1f}" if wchar >= 1e6 else f"{wchar / 1e6:.4f}"
        print(f"| {what:<52} | {seconds:8.3f} | {mb:>10} | {note}")


def median_row(table, what, samples):
    secs = statistics.median(s for s, _ in samples)
    bytes_ = statistics.median(b for _, b in samples if b is not None) if samples[0][1] else None
    note = "min {:.3f} max {:.3f}".format(min(s for s, _ in samples), max(s for s, _ in samples))
    row(table, what, secs, bytes_, note)
    return secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        args.size_mb, args.rounds = 20, 1
    bin_dir = Path(args.bin).resolve()
    tool = str(bin_dir / "ssf-registry-tool")
    gc_ssf = str(bin_dir / "gc-ssf")
    work = Path(tempfile.mkdtemp(prefix="ssf-bench-registry-"))
    env = dict(os.environ, DOCKER_CONFIG=str(work / "no-docker-config"))
    table = []
    try:
        layout = work / "image"
        t0 = time.perf_counter()
        desc = make_big_image(layout, "bench", args.size_mb, seed=1)
        image_mb = (desc["config"]["size"] + sum(l["size"] for l in desc["layers"])) / 1e6
        print(f"image: {image_mb:.1f} MB in {len(desc['layers'])} layers "
              f"(made in {time.perf_counter() - t0:.1f} s)")

        ours_push, skopeo_push, ours_pull, skopeo_pull = [], [], [], []
        for r in range(args.rounds):
            # Alternate who goes first, so that neither always meets a warm page cache first.
            order = ["ours", "skopeo"] if r % 2 == 0 else ["skopeo", "ours"]
            for who in order:
                with start_registry(work / f"reg-{r}-{who}", "plain") as reg:
                    ref = f"{reg.host}/library/bench:1"
                    if who == "ours":
                        ours_push.append(run_io([tool, "push", layout, "bench", ref], env=env)[:2])
                        pulled = work / f"pulled-ours-{r}"
                        ours_pull.append(run_io([tool, "pull", ref, pulled], env=env)[:2])
                    else:
                        skopeo_push.append(run_io(
                            ["skopeo", "copy", "-q", "--dest-tls-verify=false",
                             f"oci:{layout}:bench", f"docker://{ref}"], env=env)[:2])
                        pulled = work / f"pulled-skopeo-{r}"
                        skopeo_pull.append(run_io(
                            ["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{ref}",
                             f"oci:{pulled}:bench"], env=env)[:2])
                    shutil.rmtree(pulled, ignore_errors=True)

        # Bytes on the wire, in a separate untimed run through a counting TCP proxy (libcurl sends
        # with send(2), which /proc/<pid>/io does not count; Go's net package writes with write(2)).
        wire = {}
        for who in ("ours", "skopeo"):
            with start_registry(work / f"reg-count-{who}", "plain") as reg, \
                    FaultProxy(reg.host, after_bytes=1 << 62, drops=0) as proxy:
                ref = f"{proxy.host}/library/bench:1"
                pulled = work / f"pulled-count-{who}"
                if who == "ours":
                    run_io([tool, "push", layout, "bench", ref], env=env)
                    up = proxy.bytes_up
                    run_io([tool, "pull", ref, pulled], env=env)
                else:
                    run_io(["skopeo", "copy", "-q", "--dest-tls-verify=false",
                            f"oci:{layout}:bench", f"docker://{ref}"], env=env)
                    up = proxy.bytes_up
                    run_io(["skopeo", "copy", "-q", "--src-tls-verify=false", f"docker://{ref}",
                            f"oci:{pulled}:bench"], env=env)
                wire[who] = (up, proxy.bytes_down)
                shutil.rmtree(pulled, ignore_errors=True)
        ours_push = [(s, wire["ours"][0]) for s, _ in ours_push]
        skopeo_push = [(s, wire["skopeo"][0]) for s, _ in skopeo_push]
        ours_pull = [(s, wire["ours"][1]) for s, _ in ours_pull]
        skopeo_pull = [(s, wire["skopeo"][1]) for s, _ in skopeo_pull]

        ours = median_row(table, f"gc-ssf push, cold ({image_mb:.0f} MB)", ours_push)
        theirs = median_row(table, f"skopeo copy oci: -> docker://, cold", skopeo_push)
        median_row(table, "gc-ssf pull (digests verified)", ours_pull)
        median_row(table, "skopeo copy docker:// -> oci:", skopeo_pull)
        print_table(table)  # the push and pull rows now, in case the rest fails
        print(flush=True)

        # Re-publish of examples/simple after one application file changed.
        app = work / "simple"
        shutil.copytree(SOURCE / "examples" / "simple", app)
        runtime = Path(gc_ssf).read_bytes()
        with start_registry(work / "reg-republish", "plain") as reg:
            tag = f"{reg.host}/library/simple:1.0"
            image_dir = app / ".package" / "simple-test" / "image"

            def package(version):
                (app / "my_application.py").write_text(
                    (SOURCE / "examples" / "simple" / "my_application.py").read_text() +
                    f"\n# revision {version}\n")
                return oci_image.make_image(
                    image_dir, tag, seed=2,
                    layers=[("base/rootfs.bin", (args.size_mb << 20) // 2),
                            ("opt/ssf/bin/gc-ssf", len(runtime)),
                            [("src/app/my_application.py", 4000 + version),
                             ("src/app/ssf_config.yaml", 1500)]])

            package(0)
            publish = [gc_ssf, "--config", "ssf_config.yaml", "--package-tag", tag, "publish"]
            run_io(publish, cwd=app, env=env)
            republish = []
            skopeo_republish = []
            for version in range(1, args.rounds + 1):
                package(version)
                seconds, wchar, out = run_io(publish, cwd=app, env=env)
                republish.append((seconds, wchar))
                if "2 blobs uploaded" not in out or "2 present" not in out:
                    raise RuntimeError("re-publish sent more than the app layer and config:\n" + out)
            with FaultProxy(reg.host, after_bytes=1 << 62, drops=0) as proxy:
                package(100)
                via = [gc_ssf, "--config", "ssf_config.yaml", "--package-tag",
                       tag.replace(reg.host, proxy.host), "publish"]
                image_dir_tag = tag.replace(reg.host, proxy.host)
                # The layout names the same image by the proxied tag too.
                oci_image.make_image(
                    image_dir, image_dir_tag, seed=2,
                    layers=[("base/rootfs.bin", (args.size_mb << 20) // 2),
                            ("opt/ssf/bin/gc-ssf", len(runtime)),
                            [("src/app/my_application.py", 4100),
                             ("src/app/ssf_config.yaml", 1500)]])
                run_io(via, cwd=app, env=env)
                republish_wire = proxy.bytes_up
            republish = [(s, republish_wire) for s, _ in republish]
            for version in range(args.rounds + 1, 2 * args.rounds + 1):
                package(version)
                seconds = run_io(["skopeo", "copy", "-q", "--dest-tls-verify=false",
                                  f"oci:{image_dir}:{tag}", f"docker://{tag}"], env=env)[0]
                skopeo_republish.append((seconds, None))
            median_row(table, "gc-ssf publish examples/simple, 1 app file changed",
                       republish)
            median_row(table, "skopeo copy of the same change", skopeo_republish)
            republish_s = statistics.median(s for s, _ in republish)

        print_table(table)
        ratio = ours / theirs
        print(f"\ncold push: gc-ssf / skopeo = {ratio:.2f} "
              f"(target <= 1.10: {'met' if ratio <= 1.10 else 'NOT met'})")
        print(f"re-publish: {republish_s:.3f} s, sends app layer + config + manifest only "
              f"(target < 1 s: {'met' if republish_s < 1 else 'NOT met'})")
        if args.smoke:
            print("(smoke run: figures are not figures)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
