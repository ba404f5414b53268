"""`package` on a base that lives in a registry: pulled into the layer cache, verified, reused.

The chain is all gc-ssf: an image packaged on an empty base is published to Debian's
docker-registry (tests/infra/registry.py, plain HTTP on loopback), then named as the base of a
second package. No Docker daemon is needed.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import GC_SSF, SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import base_images  # noqa: E402
from registry import start_registry  # noqa: E402

BUILD_DIR = Path(GC_SSF).resolve().parent.parent
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def gc_ssf(*args, cwd):
    Path(cwd).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **NO_DAEMON)
    return subprocess.run([GC_SSF, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def packaged_manifest(cwd, app_id="native-simple"):
    layout = Path(cwd) / ".package" / app_id / "image"
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":")[1]
    return json.loads((layout / "blobs" / "sha256" / digest).read_text())


def test_a_registry_base_is_pulled_once_and_its_layers_come_first(tmp_path):
    module = BUILD_DIR / "examples" / "libnative_simple.so"
    assert module.is_file(), f"build the native example first: {module}"
    app = tmp_path / "native"
    shutil.copytree(SOURCE_DIR / "examples" / "native", app)
    shutil.copy(module, app / module.name)
    config = app / "ssf_config.yaml"
    empty = base_images.empty_layout()

    with start_registry(tmp_path) as reg:
        base_tag = f"{reg.host}/bases/native:1"
        out = gc_ssf("--config", config, "--package-baseimage", f"oci-layout:{empty}:empty",
                     "--package-tag", base_tag, "package", "publish", cwd=tmp_path / "one")
        assert out.returncode == 0, out.stdout + out.stderr
        base_layers = [l["digest"] for l in packaged_manifest(tmp_path / "one")["layers"]]

        work = tmp_path / "two"
        for attempt in range(2):  # the second package finds the base in its cache
            out = gc_ssf("--config", config, "--package-baseimage", base_tag,
                         "--package-tag", "derived:1", "package", cwd=work)
            assert out.returncode == 0, out.stdout + out.stderr
        layers = [l["digest"] for l in packaged_manifest(work)["layers"]]
        assert layers[:len(base_layers)] == base_layers
        manifest_gets = [l for l in reg.log_text().splitlines()
                         if '"GET /v2/bases/native/manifests/1' in l]
        assert len(manifest_gets) >= 1

        missing = gc_ssf("--config", config, "--package-baseimage", f"{reg.host}/bases/nothing:1",
                         "--package-tag", "derived:2", "package", cwd=work)
        assert missing.returncode == 36, missing.stdout + missing.stderr
        assert "bases/nothing" in missing.stderr


def test_a_real_docker_daemon_pulls_the_published_image_and_runs_it(tmp_path):
    """publish's output is an image any registry client takes: Debian's dockerd pulls it from
    the registry (loopback registries are plain HTTP to dockerd too) and serves the app."""
    import socket
    import uuid

    import requests

    import dockerd  # noqa: E402
    from conftest import wait_until

    module = BUILD_DIR / "examples" / "libnative_simple.so"
    assert module.is_file(), f"build the native example first: {module}"
    app = tmp_path / "native"
    shutil.copytree(SOURCE_DIR / "examples" / "native", app)
    shutil.copy(module, app / module.name)
    docker = dockerd.session_daemon()
    with start_registry(tmp_path) as reg:
        tag = f"{reg.host}/apps/native:{uuid.uuid4().hex[:8]}"
        out = gc_ssf("--config", app / "ssf_config.yaml", "--package-baseimage",
                     f"oci-layout:{base_images.empty_layout()}:empty", "--package-tag", tag,
                     "package", "publish", cwd=tmp_path / "work")
        assert out.returncode == 0, out.stdout + out.stderr
        name = f"gcssf-pull-{uuid.uuid4().hex[:8]}"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            docker.docker("pull", tag)
            docker.docker("run", "-d", "--network", "host", "--name", name, "-e",
                          f"SSF_OPTIONS=--host 127.0.0.1 -p {port}", tag)
            url = f"http://127.0.0.1:{port}"

            def ready():
                try:
                    return requests.get(url + "/health/ready", timeout=2).status_code == 200
                except requests.RequestException:
                    return False
            assert wait_until(ready, timeout=60, interval=0.2), \
                docker.docker("logs", name, check=False).stdout
            r = requests.post(url + "/v1/Test1", json={"x": 4}, timeout=10)
            assert r.status_code == 200 and r.json()["x_times_1000"] == 4000
        finally:
            docker.docker("rm", "-f", name, check=False)
            docker.docker("rmi", "-f", tag, check=False)
