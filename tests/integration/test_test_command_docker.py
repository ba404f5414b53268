"""`gc-ssf test`'s Docker half against a real daemon (tests/infra/dockerd.py): the container is
started with SSF_OPTIONS (the key through docker's environment), waited for, its logs shown and
removed; an existing container of that name is error 8; --test-skip-stop leaves it running.

The image is a stand-in for a packaged one, made here without `package`: busybox's httpd on the
port SSF_OPTIONS names, serving `/` and `/health/ready` but no API-key routes, so the built-in
security checks are the KOs (33) and everything else about the container can be checked."""
import io
import os
import shutil
import subprocess
import sys
import tarfile
import uuid

import pytest

from conftest import GC_SSF, SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
try:
    import dockerd
except ImportError:  # tests/infra/dockerd.py comes with the package step
    dockerd = None

KEY = "docker-test-key-1234"
BUSYBOX = "/bin/busybox"


@pytest.fixture(scope="module")
def daemon():
    if dockerd is None:
        pytest.skip("tests/infra/dockerd.py is not in this tree yet")
    if not shutil.which("dockerd") or not os.path.exists(BUSYBOX):
        pytest.skip("needs Debian's docker.io and busybox")
    return dockerd.session_daemon()


@pytest.fixture(scope="module")
def image(daemon):
    """A rootfs tarball: static busybox, the two pages, a CMD reading SSF_OPTIONS."""
    tag = f"gcssf-test-stand-in:{uuid.uuid4().hex[:8]}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add(name, data=None, mode=0o644, kind=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name)
            info.mode, info.type, info.linkname = mode, kind, link
            info.size = len(data) if data is not None else 0
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
        for d in ("bin", "www", "www/health", "tmp"):
            add(d, mode=0o755, kind=tarfile.DIRTYPE)
        with open(BUSYBOX, "rb") as f:
            add("bin/busybox", f.read(), 0o755)
        add("bin/sh", kind=tarfile.SYMTYPE, link="busybox")
        add("www/index.html", b'{"message":"OK"}')
        add("www/health/ready", b'{"message":"Readiness check succeeded."}')
    # SSF_OPTIONS is "-p <port> --key <key> --api fastapi": $2 is the port.
    cmd = ('CMD ["/bin/busybox", "sh", "-c", "echo options: $SSF_OPTIONS; set -- $SSF_OPTIONS; '
           'exec /bin/busybox httpd -f -v -p 127.0.0.1:$2 -h /www"]')
    subprocess.run(["docker", "import", "--change", cmd, "-", tag], input=buf.getvalue(),
                   env={**os.environ, **daemon.env}, capture_output=True, check=True, timeout=120)
    yield tag
    daemon.docker("rmi", "-f", tag, check=False)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gc_ssf(tmp_path, daemon, *args):
    shutil.copytree(SOURCE_DIR / "examples" / "simple", tmp_path / "app", dirs_exist_ok=True)
    proc = subprocess.run([GC_SSF, "--config", str(tmp_path / "app" / "ssf_config.yaml"), *args],
                          cwd=tmp_path, env={**os.environ, **daemon.env}, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr, (tmp_path / "ssf.log").read_text()


def test_start_check_logs_and_remove(tmp_path, daemon, image):
    name = f"gcssf-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    try:
        code, out, log = gc_ssf(tmp_path, daemon, "--package-tag", image, "--deploy-name", name,
                                "--port", str(port), "--key", KEY, "test")
        assert code == 33, out
        assert f"> Start {name} {image}" in log
        assert "OK Check server ready" in log and "OK Check root endpoint" in log
        assert "KO Check security accepted" in log
        # ready, root, begin, end pass; 3 security checks and the 8 app subtests (501) fail
        assert "OK 4 KO 11" in out
        # The container saw the options, key included; the log shows them redacted.
        assert f"> Docker logs {name}" in log
        assert f"options: -p {port} --key ******** --api fastapi" in log
        assert KEY not in log and KEY not in out
        assert f"> Remove {name}" in log
        assert daemon.docker("container", "inspect", name, check=False).returncode != 0
    finally:
        daemon.docker("rm", "-f", name, check=False)


def test_skip_stop_then_an_existing_container_is_8(tmp_path, daemon, image):
    name = f"gcssf-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    try:
        code, out, _ = gc_ssf(tmp_path, daemon, "--package-tag", image, "--deploy-name", name,
                              "--port", str(port), "--test-skip-stop", "test")
        assert code == 33, out
        state = daemon.docker("container", "inspect", "-f", "{{.State.Running}}", name)
        assert state.stdout.strip() == "true"
        code, out, _ = gc_ssf(tmp_path, daemon, "--package-tag", image, "--deploy-name", name,
                              "--port", str(port), "test")
        assert code == 8, out
        assert f"{name} exists and is running - use 'docker rm -f {name}' first" in out
        daemon.docker("stop", "-t", "1", name)
        code, out, _ = gc_ssf(tmp_path, daemon, "--package-tag", image, "--deploy-name", name,
                              "--port", str(port), "test")
        assert code == 8, out
        assert f"{name} exists and is stopped - use 'docker rm {name}' first" in out
        # --test-skip-start against the stopped container: the checks fail, then it is removed.
        code, out, log = gc_ssf(tmp_path, daemon, "--deploy-name", name, "--port", str(port),
                                "--modify-config", "application.startup_timeout=2",
                                "--test-skip-start", "test")
        assert code == 33, out
        assert f"> Remove {name}" in log
        assert daemon.docker("container", "inspect", name, check=False).returncode != 0
    finally:
        daemon.docker("rm", "-f", name, check=False)
