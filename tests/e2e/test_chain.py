"""The whole chain, as a user runs it: `gc-ssf --config ... init build package publish`, then
`deploy` to two edge hosts, a real request to each, `gc-ssf test` against a deployed host, a
redeploy of a second version, and a rollback to the first; for examples/simple and examples/asr.

Every part is real: the base images are Debian rootfs tarballs (tests/infra/base_images.py), the
registry is Debian's docker-registry behind token auth (tests/infra/registry.py, "token" mode,
listening on the fleet's gateway), the edge hosts are network namespaces with their own sshd and
dockerd (tests/infra/edge_hosts.py). Publishing is done as alice (push to `library`); the hosts
pull as bob, who may only pull: the least a deploy needs.

Needs root, dockerd, sshd, docker-registry and mmdebstrap's cache or Debian's mirror (CI has them).
"""
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

GC_SSF = os.environ.get("GC_SSF", "gc-ssf")
SOURCE_DIR = Path(os.environ.get("SSF_SOURCE_DIR", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import base_images  # noqa: E402
from edge_hosts import EdgeFleet  # noqa: E402
from registry import start_registry  # noqa: E402

API_KEY = "e2e-api-key-5d1c"
# Each example's service has a port of its own on the hosts: two services on one port would
# share it (the runtime binds with SO_REUSEPORT for handovers) and answer each other's clients.
PORTS = {"simple": 8100, "asr": 8101}
CLIP = Path("/usr/share/pocketsphinx/test/data/goforward.raw")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("dockerd") or not shutil.which("docker-registry")
    or not shutil.which("mmdebstrap"),
    reason="needs root, dockerd, docker-registry and mmdebstrap")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two edge hosts and a token-auth registry they can reach, for the whole module."""
    work = tmp_path_factory.mktemp("e2e")
    with EdgeFleet(2, work) as fleet:
        with start_registry(work, "token", address=fleet.gateway) as registry:
            yield Site(work, fleet, registry)


class Site:
    def __init__(self, work, fleet, registry):
        self.work = work
        self.fleet = fleet
        self.registry = registry
        self.home = work / "home"
        (self.home / ".ssh").mkdir(parents=True)
        shutil.copy(fleet.known_hosts, self.home / ".ssh" / "known_hosts")

    def targets(self):
        return ",".join(f"root@{h.address}" for h in self.fleet.hosts)


class Chain:
    """One example copied to its own directory, and gc-ssf run there as its user would."""

    def __init__(self, site, example, flavour):
        self.site = site
        self.app = site.work / example
        shutil.copytree(SOURCE_DIR / "examples" / example, self.app)
        self.config = self.app / "ssf_config.yaml"
        self.base = f"rootfs:{base_images.rootfs(flavour)}"
        self.repository = f"{site.registry.host}/library/{example}"
        self.name = f"e2e-{example}"
        self.port = PORTS[example]

    def gc_ssf(self, *args, user="alice", timeout=900, env=None):
        env = dict(os.environ, **(env or {}))
        env.pop("SSH_AUTH_SOCK", None)
        env["HOME"] = str(self.site.home)
        env["SSF_DOCKER_USERNAME"] = user
        env["SSF_DOCKER_PASSWORD"] = self.site.registry.users[user]
        proc = subprocess.run([GC_SSF, "--config", str(self.config), *args], cwd=self.app,
                              env=env, capture_output=True, text=True, timeout=timeout)
        proc.output = proc.stdout + proc.stderr
        return proc

    def publish(self, version, *more):
        # The registry speaks plain HTTP on the fleet's private address, as the hosts' dockerd
        # are told too (edge_hosts.py); only loopback is plain HTTP without saying so.
        run = self.gc_ssf("--package-baseimage", self.base, "--package-tag",
                          f"{self.repository}:{version}", "--insecure-registry",
                          self.site.registry.host, *more,
                          "init", "build", "package", "publish")
        assert run.returncode == 0, run.output
        return f"{self.repository}:{version}"

    def fleet_args(self):
        return ["--deploy-gcore-target-address", self.site.targets(), "--ssh-key",
                str(self.site.fleet.key_file), "--deploy-name", self.name, "--port",
                str(self.port)]

    def deploy(self, tag):
        run = self.gc_ssf("deploy", "--deploy-package", "--package-tag", tag,
                          *self.fleet_args(), user="bob", env={"SSF_API_KEY": API_KEY})
        assert run.returncode == 0, run.output
        log = (self.app / "ssf.log").read_text()
        for secret in (API_KEY, self.site.registry.users["bob"]):
            assert secret not in run.output + log
        return run

    def live_image(self, host):
        return host.docker("inspect", "--format", "{{.Config.Image}}", self.name).stdout.strip()

    def check_versions(self, tag):
        for host in self.site.fleet.hosts:
            assert self.live_image(host) == tag

    def run_test_command(self, host):
        """`gc-ssf test` against a deployed host: built-in checks and the app's own tests."""
        run = self.gc_ssf("test", "--test-skip-start", "--test-skip-stop", "--host", host.address,
                          "--port", str(self.port), "--deploy-name", self.name,
                          env={"SSF_API_KEY": API_KEY})
        assert run.returncode == 0, run.output
        assert " KO 0" in run.output, run.output
        return run


def post_simple(host, x):
    return requests.post(f"http://{host.address}:{PORTS['simple']}/v1/Test1", json={"x": x},
                         headers={"api_key": API_KEY}, timeout=10)


def post_clip(host):
    return requests.post(f"http://{host.address}:{PORTS['asr']}/v1/asr",
                         files={"file": ("goforward.raw", CLIP.read_bytes())},
                         headers={"api_key": API_KEY}, timeout=120)


class Poller:
    """A client sending a request every 10 ms while a redeploy runs; counts what failed."""

    def __init__(self, send):
        self.send = send
        self.ok = 0
        self.failures = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        while not self._stop.is_set():
            try:
                r = self.send()
                if r.status_code == 200:
                    self.ok += 1
                else:
                    self.failures.append(r.status_code)
            except requests.RequestException as e:
                self.failures.append(repr(e))
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_simple_publish_deploy_test_redeploy_rollback(site):
    chain = Chain(site, "simple", "python")
    v1 = chain.publish("1")
    chain.deploy(v1)
    chain.check_versions(v1)
    for host in site.fleet.hosts:
        r = post_simple(host, 7)
        assert r.status_code == 200, r.text
        assert r.json()["x_times_1000"] == 7000
    chain.run_test_command(site.fleet.hosts[0])

    # A second version (another description: another config layer, another digest), redeployed
    # while a client polls the first host.
    v2 = chain.publish("2", "--modify-config", "application.desc=The second version")
    host = site.fleet.hosts[0]
    with Poller(lambda: post_simple(host, 1)) as poller:
        chain.deploy(v2)
    chain.check_versions(v2)
    assert poller.failures == [], poller.failures[:5]
    assert poller.ok > 10

    run = chain.gc_ssf("rollback", *chain.fleet_args())
    assert run.returncode == 0, run.output
    chain.check_versions(v1)
    for host in site.fleet.hosts:
        assert post_simple(host, 3).status_code == 200

    run = chain.gc_ssf("undeploy", *chain.fleet_args())
    assert run.returncode == 0, run.output


@pytest.mark.skipif(not CLIP.exists(), reason="needs Debian's pocketsphinx-testdata")
def test_asr_publish_deploy_transcribe_test_redeploy_rollback(site):
    chain = Chain(site, "asr", "asr")
    v1 = chain.publish("1")
    chain.deploy(v1)
    chain.check_versions(v1)
    for host in site.fleet.hosts:
        r = post_clip(host)
        assert r.status_code == 200, r.text
        assert r.json() == {"result": "go forward ten meters"}
        refused = requests.post(f"http://{host.address}:{PORTS['asr']}/v1/asr",
                                files={"file": ("speech.mp3", b"ID3\x03\x00" + bytes(64))},
                                headers={"api_key": API_KEY}, timeout=60)
        assert refused.status_code == 400
    chain.run_test_command(site.fleet.hosts[0])

    v2 = chain.publish("2", "--modify-config", "asr.max_seconds=300")
    chain.deploy(v2)
    chain.check_versions(v2)
    assert post_clip(site.fleet.hosts[1]).json() == {"result": "go forward ten meters"}

    run = chain.gc_ssf("rollback", *chain.fleet_args())
    assert run.returncode == 0, run.output
    chain.check_versions(v1)
    assert post_clip(site.fleet.hosts[0]).status_code == 200

    run = chain.gc_ssf("undeploy", *chain.fleet_args())
    assert run.returncode == 0, run.output
    for host in site.fleet.hosts:
        assert host.docker("ps", "-aq", "--filter", f"name={chain.name}").stdout.strip() == ""
