"""`package`: images built without a daemon, loaded into a real Docker daemon and served.

The base is a real Debian bookworm rootfs (mmdebstrap, tests/infra/base_images.py); the daemon is
Debian's dockerd (tests/infra/dockerd.py), containers on the host network with ports picked free.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import GC_SSF, SOURCE_DIR, wait_until

sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import base_images  # noqa: E402
import dockerd  # noqa: E402

BUILD_DIR = Path(GC_SSF).resolve().parent.parent


@pytest.fixture(scope="module")
def docker():
    return dockerd.session_daemon()


@pytest.fixture(scope="module")
def rootfs():
    return base_images.rootfs("python")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gc_ssf(*args, cwd, env=None, timeout=300):
    full = dict(os.environ)
    full.update(env or {})
    proc = subprocess.run([GC_SSF, *map(str, args)], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=timeout)
    return proc


def no_daemon():
    """An environment where gc-ssf finds no Docker daemon (so it only writes files)."""
    return {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def manifest_digest(cwd, app_id="simple-test"):
    index = json.loads((Path(cwd) / ".package" / app_id / "image" / "index.json").read_text())
    return index["manifests"][0]["digest"]


@pytest.fixture
def simple(tmp_path):
    shutil.copytree(SOURCE_DIR / "examples" / "simple", tmp_path / "simple")
    return tmp_path


class Container:
    """`docker run -d --network host` of an image; removed (and its logs kept) on exit."""

    def __init__(self, docker, image, ssf_options, extra=()):
        self.docker = docker
        self.name = f"gcssf-test-{uuid.uuid4().hex[:8]}"
        docker.docker("run", "-d", "--network", "host", "--name", self.name, "-e",
                      f"SSF_OPTIONS={ssf_options}", *extra, image)

    def logs(self):
        out = self.docker.docker("logs", self.name, check=False)
        return out.stdout + out.stderr

    def wait_ready(self, url, timeout=60):
        def ready():
            try:
                return requests.get(url + "/health/ready", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        assert wait_until(ready, timeout=timeout, interval=0.2), self.logs()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.docker.docker("rm", "-f", self.name, check=False)


def test_package_simple_docker_load_run_answer(docker, rootfs, simple):
    """The whole path: package → docker archive → docker load → docker run → a correct answer."""
    tag = f"gcssf-simple-test:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--config", simple / "simple" / "ssf_config.yaml", "--package-baseimage",
                 f"rootfs:{rootfs}", "--package-tag", tag, "--package-output", "image.tar",
                 "package", cwd=simple, env=no_daemon())
    assert out.returncode == 0, out.stdout + out.stderr
    assert (simple / "image.tar").is_file()
    try:
        loaded = docker.docker("load", "-i", simple / "image.tar")
        assert f"Loaded image: {tag}" in loaded.stdout
        config = json.loads(docker.docker("image", "inspect", tag).stdout)[0]["Config"]
        assert config["WorkingDir"] == "/src"
        assert config["Entrypoint"] == ["/opt/ssf/bin/gc-ssf", "--options-from-env", "SSF_OPTIONS"]
        assert config["Cmd"] == ["--config", "/src/app/ssf_config.yaml", "run"]
        assert config["Labels"]["ai.graphcore.ssf.application.version"] == "1.0"
        assert config["Labels"]["org.opencontainers.image.base.name"] == f"rootfs:{rootfs}"
        assert config["Healthcheck"]["Test"][:2] == ["CMD", "/opt/ssf/bin/gc-ssf"]
        port = free_port()
        # A quoted value with a space: SSF_OPTIONS is split as a shell would, without one.
        with Container(docker, tag,
                       f"--host 127.0.0.1 -p {port} --deploy-custom-args 'two words'") as c:
            url = f"http://127.0.0.1:{port}"
            c.wait_ready(url)
            r = requests.post(url + "/v1/Test1", json={"x": 7}, timeout=10)
            assert r.status_code == 200, c.logs()
            assert r.json() == {"requests": 1, "x_times_1000": 7000}
            log = docker.docker("exec", c.name, "/bin/cat", "/src/ssf.log").stdout
            assert '"deploy_custom_args":"two words"' in log.replace(": ", ":"), log
            # The image's HEALTHCHECK runs gc-ssf against /health/ready.
            out = docker.docker("exec", c.name, "/opt/ssf/bin/gc-ssf", "--ssf-health-check",
                                check=False)
            assert out.returncode == 0, c.logs()
    finally:
        docker.docker("rmi", "-f", tag, check=False)


def test_package_loads_into_a_reachable_daemon(docker, rootfs, simple):
    """With a daemon reachable, the image is loaded under its tag (for `test`, as upstream)."""
    tag = f"gcssf-loaded:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--config", simple / "simple" / "ssf_config.yaml", "--package-baseimage",
                 f"rootfs:{rootfs}", "--package-tag", tag, "package", cwd=simple, env=docker.env)
    try:
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"Loaded {tag} into the local Docker daemon" in out.stdout
        assert docker.docker("image", "inspect", tag, check=False).returncode == 0
        assert not list((simple / ".package").glob(".*.docker-*.tar"))  # no archive left behind
    finally:
        docker.docker("rmi", "-f", tag, check=False)


def test_native_app_runs_on_an_empty_base(docker, tmp_path):
    """The runtime layer brings its own loader and libraries: no libc in the base at all."""
    module = BUILD_DIR / "examples" / "libnative_simple.so"
    assert module.is_file(), f"build the native example first: {module}"
    app = tmp_path / "native"
    shutil.copytree(SOURCE_DIR / "examples" / "native", app)
    shutil.copy(module, app / module.name)
    empty = base_images.empty_layout()
    tag = f"gcssf-native:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--config", app / "ssf_config.yaml", "--package-baseimage",
                 f"oci-layout:{empty}:empty", "--package-tag", tag, "--package-output",
                 "native.tar", "package", cwd=tmp_path, env=no_daemon())
    assert out.returncode == 0, out.stdout + out.stderr
    try:
        docker.docker("load", "-i", tmp_path / "native.tar")
        history = docker.docker("history", "--format", "{{.CreatedBy}}", tag).stdout.split("\n")
        assert [h for h in history if h] == ["gc-ssf package: application",
                                              "gc-ssf package: runtime"]
        port = free_port()
        with Container(docker, tag, f"--host 127.0.0.1 -p {port}") as c:
            url = f"http://127.0.0.1:{port}"
            c.wait_ready(url)
            r = requests.post(url + "/v1/Test1", json={"x": 3}, timeout=10)
            assert r.status_code == 200, c.logs()
            assert r.json()["x_times_1000"] == 3000
    finally:
        docker.docker("rmi", "-f", tag, check=False)


def test_self_package_image_builds_and_runs_an_app(docker, rootfs, tmp_path):
    """No --config: the generic SSF image, which runs whatever SSF_OPTIONS says."""
    tag = f"gcssf-self:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--package-baseimage", f"rootfs:{rootfs}", "--package-tag", tag,
                 "--package-output", "self.tar", "package", cwd=tmp_path, env=no_daemon())
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / ".package" / "simple-server-framework" / "image" / "index.json").is_file()
    shutil.copytree(SOURCE_DIR / "examples" / "simple", tmp_path / "app")
    try:
        docker.docker("load", "-i", tmp_path / "self.tar")
        port = free_port()
        with Container(docker, tag,
                       f"--config /app/ssf_config.yaml build run --host 127.0.0.1 -p {port}",
                       extra=("-v", f"{tmp_path / 'app'}:/app")) as c:
            url = f"http://127.0.0.1:{port}"
            c.wait_ready(url)
            r = requests.post(url + "/v2/Test1", json={"x": 2}, timeout=10)
            assert r.json()["x_times_1000"] == 2000, c.logs()
    finally:
        docker.docker("rmi", "-f", tag, check=False)


def test_docker_builder_runs_package_docker_run(docker, rootfs, simple):
    """package.docker.run needs RUN: the bundle is built by `docker build`, and the image Docker
    made is the one in .package/<id>/image (what publish pushes)."""
    import yaml
    config_file = simple / "simple" / "ssf_config.yaml"
    config = yaml.safe_load(config_file.read_text())
    config["application"]["package"] = {"docker": {"run": "RUN echo built-by-docker > /src/marker"}}
    config_file.write_text(yaml.safe_dump(config))
    tag = f"gcssf-docker-builder:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--config", config_file, "--package-baseimage", f"rootfs:{rootfs}",
                 "--package-tag", tag, "package", cwd=simple, env=docker.env)
    try:
        assert out.returncode == 0, out.stdout + out.stderr
        marker = docker.docker("run", "--rm", "--entrypoint", "/bin/cat", tag, "/src/marker")
        assert marker.stdout == "built-by-docker\n"
        layout = simple / ".package" / "simple-test" / "image"
        inspect = subprocess.run(["skopeo", "inspect", f"oci:{layout}:{tag}"],
                                 capture_output=True, text=True, timeout=60)
        assert inspect.returncode == 0, inspect.stderr
        assert len(json.loads(inspect.stdout)["Layers"]) >= 4  # base, opt, src, RUN
    finally:
        docker.docker("rmi", "-f", tag, check=False)
        for line in docker.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split():
            if line.startswith("gc-ssf-base/simple-test:"):
                docker.docker("rmi", "-f", line, check=False)


def write_wheel(directory, name="tinydep", version="1.0", code="FACTOR = 1000\n"):
    """A pure-Python wheel written by hand (a wheel is a zip with a dist-info directory)."""
    import base64
    import hashlib
    import zipfile
    wheel = Path(directory) / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": code,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    return wheel


def test_python_dependencies_are_installed_at_package_time(docker, rootfs, simple):
    """dependencies.python from a local wheel: installed by package, importable in the container,
    which has no network and installs nothing itself."""
    import yaml
    wheels = simple / "wheels"
    wheels.mkdir()
    write_wheel(wheels)
    app = simple / "simple"
    (app / "requirements.txt").write_text(f"--no-index\n--find-links {wheels}\ntinydep\n")
    config = yaml.safe_load((app / "ssf_config.yaml").read_text())
    config["application"]["dependencies"] = {"python": "requirements.txt"}
    (app / "ssf_config.yaml").write_text(yaml.safe_dump(config))
    module = app / "my_application.py"
    module.write_text(module.read_text().replace(
        '"x_times_1000": params["x"] * 1000', '"x_times_1000": params["x"] * tinydep.FACTOR')
        .replace("import logging\n", "import logging\n\nimport tinydep\n"))
    tag = f"gcssf-deps:{uuid.uuid4().hex[:8]}"
    out = gc_ssf("--config", app / "ssf_config.yaml", "--package-baseimage", f"rootfs:{rootfs}",
                 "--package-tag", tag, "--package-output", "deps.tar", "package", cwd=simple,
                 env={**no_daemon(), "SSF_PYTHON": "/usr/bin/python3"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "dependencies layer: built" in out.stdout
    try:
        docker.docker("load", "-i", simple / "deps.tar")
        port = free_port()
        with Container(docker, tag, f"--host 127.0.0.1 -p {port}") as c:
            url = f"http://127.0.0.1:{port}"
            c.wait_ready(url)
            r = requests.post(url + "/v1/Test1", json={"x": 4}, timeout=10)
            assert r.json()["x_times_1000"] == 4000, c.logs()
            assert "Using existing application venv /src/ssf-simple-test-venv" in c.logs()
    finally:
        docker.docker("rmi", "-f", tag, check=False)
