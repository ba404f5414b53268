"""The main job on a local default, for a newcomer (scripts/quickstart.sh runs it after the build):

    base image     a Debian bookworm rootfs with PocketSphinx (mmdebstrap, cached by its inputs)
    registry       Debian's docker-registry with token auth, on a private address of this machine
    edge host      a network namespace with its own sshd and dockerd
    gc-ssf --config examples/asr/ssf_config.yaml init build package publish    (as the publisher)
    gc-ssf --config examples/asr/ssf_config.yaml deploy ...                     (pulls as a reader)
    POST /v1/asr with a sample clip, answered by the deployed service: its transcript is printed

The registry and the edge host are tests/infra's (the ones every test uses), so that what a
newcomer sees is what CI checks. Everything is torn down at the end; with --keep it stays up
until Ctrl-C, and the commands to try are printed.

    python3 scripts/quickstart.py <gc-ssf binary> [--keep]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import base_images  # noqa: E402
from edge_hosts import EdgeFleet  # noqa: E402
from registry import start_registry  # noqa: E402

CLIP = Path("/usr/share/pocketsphinx/test/data/goforward.raw")
PORT = 8100

timings = []


def phase(title):
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def done(title, started):
    timings.append((title, time.monotonic() - started))


def gc_ssf(binary, app, env, *args):
    argv = [binary, "--config", str(app / "ssf_config.yaml"), *args]
    print("$ gc-ssf " + " ".join(a for a in argv[1:]), flush=True)
    proc = subprocess.run(argv, cwd=app, env=env)
    if proc.returncode != 0:
        sys.exit(f"quickstart: gc-ssf {args[-1]} failed with {proc.returncode}: see above")


def main(argv):
    binary = str(Path(argv[0]).resolve())
    keep = "--keep" in argv[1:]
    work = Path(tempfile.mkdtemp(prefix="gc-ssf-quickstart-"))
    os.chmod(work, 0o755)
    try:
        started = phase("base image: Debian bookworm + python3-pocketsphinx (built once, cached)")
        base = base_images.rootfs("asr")
        print(base)
        done("base image", started)

        started = phase("a local registry (token auth) and a local edge host (sshd + dockerd)")
        with EdgeFleet(1, work) as fleet, \
                start_registry(work, "token", address=fleet.gateway) as registry:
            host = fleet.hosts[0]
            print(f"registry {registry.host}, edge host root@{host.address}")
            done("registry and edge host", started)
            home = work / "home"
            (home / ".ssh").mkdir(parents=True)
            shutil.copy(fleet.known_hosts, home / ".ssh" / "known_hosts")
            app = work / "asr"
            shutil.copytree(SOURCE_DIR / "examples" / "asr", app)
            key = os.urandom(12).hex()
            env = dict(os.environ, HOME=str(home), SSF_PYTHON="/usr/bin/python3")
            env.pop("SSH_AUTH_SOCK", None)
            tag = f"{registry.host}/library/asr:1"

            started = phase("init build package publish (as alice, who may push)")
            publisher = dict(env, SSF_DOCKER_USERNAME="alice",
                             SSF_DOCKER_PASSWORD=registry.users["alice"])
            gc_ssf(binary, app, publisher, "--package-baseimage", f"rootfs:{base}",
                   "--package-tag", tag, "--insecure-registry", registry.host,
                   "init", "build", "package", "publish")
            done("init build package publish", started)

            started = phase("deploy (the host pulls as bob, who may only pull)")
            # Secrets through the environment, none on a command line.
            reader = dict(env, SSF_DOCKER_USERNAME="bob", SSF_DOCKER_PASSWORD=registry.users["bob"],
                          SSF_API_KEY=key)
            gc_ssf(binary, app, reader, "deploy", "--deploy-package", "--package-tag", tag,
                   "--deploy-gcore-target-address", f"root@{host.address}",
                   "--ssh-key", str(fleet.key_file))
            done("deploy, to ready", started)

            started = phase(f"POST http://{host.address}:{PORT}/v1/asr with {CLIP.name}")
            answer = subprocess.run(
                ["curl", "-sS", "--fail-with-body", "-H", "@-", "-F", f"file=@{CLIP}",
                 f"http://{host.address}:{PORT}/v1/asr"],
                input=f"api_key: {key}\n", capture_output=True, text=True, timeout=120)
            done("first request", started)
            if answer.returncode != 0:
                sys.exit(f"quickstart: the deployed service did not answer: {answer.stdout}"
                         f"{answer.stderr}")
            print(answer.stdout)

            print("\n== timings")
            for title, seconds in timings:
                print(f"  {title:<30} {seconds:7.1f} s")
            print(f"\nThe deployed example transcribed {CLIP.name}: {answer.stdout.strip()}")
            if keep:
                # The key goes in a header file (0600, removed at the end), not on a command line.
                header = home / "api_key.header"
                header.touch(mode=0o600)
                header.write_text(f"api_key: {key}\n")
                print(f"\nStill up (Ctrl-C ends it). Try:\n"
                      f"  curl -H @{header} -F file=@{CLIP} "
                      f"http://{host.address}:{PORT}/v1/asr\n"
                      f"  HOME={home} gc-ssf --config {app}/ssf_config.yaml status "
                      f"--deploy-gcore-target-address root@{host.address} "
                      f"--ssh-key {fleet.key_file}", flush=True)
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
