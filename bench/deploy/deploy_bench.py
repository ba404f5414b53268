"""The deploy benchmark (see run.sh): one edge host, one registry, the native example's images.

Each round, for gc-ssf and then for upstream's sequence on a fresh deployment name:
  first   deploy v1 where nothing runs: seconds from the command's start to /health/ready 200
          (measured by polling from here, since upstream's script returns before it is ready)
  redeploy  deploy v2 over v1 with a client posting to the endpoint every 10 ms (a new
          connection each time): seconds to ready on v2, and requests that failed
Upstream's sequence is its boot script's (ssf-behaviour.md §8.2), piped to `ssh ... bash -s` as
upstream does: docker pull; docker rm -f <name>; docker run -d --network host ...; sleep 2;
docker inspect.
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "infra"))
from app_images import build_native_images  # noqa: E402
from edge_hosts import EdgeFleet  # noqa: E402
from registry import start_registry  # noqa: E402

PORT = 8100


class Poller:
    """POSTs every 10 ms on a new connection; counts answers that are not 200 and errors."""

    def __init__(self, address):
        self.url = f"http://{address}:{PORT}/v1/Test1"
        self.ok = 0
        self.failed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            try:
                r = requests.post(self.url, json={"x": 1}, timeout=2,
                                  headers={"Connection": "close"})
                if r.status_code == 200:
                    self.ok += 1
                else:
                    self.failed += 1
            except requests.RequestException:
                self.failed += 1
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def wait_version(host, image, start, timeout=120):
    """Seconds from `start` until the live container runs `image` and answers ready."""
    url = f"http://{host.address}:{PORT}/health/ready"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                running = host.docker("ps", "--format", "{{.Image}}").stdout.split()
                if running == [image]:
                    return time.time() - start
        except requests.RequestException:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{image} not ready on {host.address} within {timeout} s")


def gc_ssf_deploy(args, fleet, home, image, name):
    env = dict(os.environ, HOME=str(home))
    env.pop("SSH_AUTH_SOCK", None)
    argv = [args.gc_ssf, "--config", str(ROOT / "examples" / "native" / "ssf_config.yaml"),
            "deploy", "--deploy-package", "--package-tag", image, "--deploy-name", name,
            "--deploy-gcore-target-address", f"root@{fleet.hosts[0].address}",
            "--ssh-key", str(fleet.key_file), "--file-log-level", "INFO"]
    run = subprocess.run(argv, cwd=home, env=env, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError(f"gc-ssf deploy failed ({run.returncode}):\n{run.stdout}{run.stderr}")


def upstream_deploy(fleet, image, name):
    """Upstream's boot script, over OpenSSH as upstream runs it."""
    script = f"""
docker  pull {image} || exit 1
if [ "$(docker ps -a -q -f name=^{name}$)" ]; then docker rm -f {name}; fi
if ! docker run -d --network host --env SSF_OPTIONS="--port {PORT}" --name {name} {image}; then
  exit 2
fi
sleep 2
docker logs {name}
[ "$(docker inspect {name} --format={{{{.State.Running}}}})" = true ] || exit 1
docker ps
"""
    run = fleet.hosts[0].ssh("bash", "-s", input=script, timeout=300, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"upstream sequence failed ({run.returncode}):\n{run.stderr}")


def one_round(args, fleet, registry_images, home, index, results):
    host = fleet.hosts[0]
    for who in ("gc-ssf", "upstream"):
        name = f"{'g' if who == 'gc-ssf' else 'u'}{index}"
        deploy = ((lambda image: gc_ssf_deploy(args, fleet, home, image, name)) if who == "gc-ssf"
                  else (lambda image: upstream_deploy(fleet, image, name)))
        start = time.time()
        deploy(registry_images["v1"])
        results[who]["first"].append(wait_version(host, registry_images["v1"], start))
        with Poller(host.address) as poller:
            time.sleep(0.3)
            start = time.time()
            deploy(registry_images["v2"])
            results[who]["redeploy"].append(wait_version(host, registry_images["v2"], start))
            time.sleep(0.3)
        results[who]["failed"].append(poller.failed)
        results[who]["requests"].append(poller.ok + poller.failed)
        # Clean the host for the next deployment (both share port 8100).
        ids = host.docker("ps", "-aq").stdout.split()
        if ids:
            host.docker("rm", "-f", *ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gc-ssf", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rounds = 1 if args.smoke else args.rounds
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"ssf-bench-deploy-{os.getpid()}"
    work.mkdir(parents=True)
    results = {w: {"first": [], "redeploy": [], "failed": [], "requests": []}
               for w in ("gc-ssf", "upstream")}
    try:
        with EdgeFleet(1, work) as fleet, \
                start_registry(work, "plain", address=fleet.gateway) as registry:
            images = {name: registry.push_archive(archive, f"app:{name}") for name, archive in
                      build_native_images(work / "images", args.gc_ssf, args.module).items()
                      if name != "bad"}
            home = work / "home"
            (home / ".ssh").mkdir(parents=True)
            (home / ".ssh" / "known_hosts").write_text(fleet.known_hosts.read_text())
            for i in range(rounds):
                one_round(args, fleet, images, home, i, results)
    finally:
        subprocess.run(["rm", "-rf", str(work)])

    print(f"deploy: {rounds} round(s), 1 edge host (netns + dockerd + sshd), native example image")
    print(f"{'what':<34} | {'min s':>6} | {'median s':>8} | {'max s':>6}")
    for who in ("gc-ssf", "upstream"):
        for key, label in (("first", "first deploy to ready"), ("redeploy", "redeploy to ready")):
            v = results[who][key]
            print(f"{who + ' ' + label:<34} | {min(v):6.2f} | {statistics.median(v):8.2f} | "
                  f"{max(v):6.2f}")
    for who in ("gc-ssf", "upstream"):
        print(f"{who} failed requests during redeploy: {sum(results[who]['failed'])} of "
              f"{sum(results[who]['requests'])} (per round {results[who]['failed']})")
    g, u = results["gc-ssf"], results["upstream"]
    faster = statistics.median(g["redeploy"]) <= statistics.median(u["redeploy"]) and \
        statistics.median(g["first"]) <= statistics.median(u["first"])
    zero = sum(g["failed"]) == 0
    print(f"target: no slower than upstream's sequence: {'met' if faster else 'NOT met'}; "
          f"zero failed requests during a healthy redeploy: {'met' if zero else 'NOT met'}")


if __name__ == "__main__":
    main()
