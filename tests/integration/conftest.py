"""Shared fixtures: run the built gc-ssf binary in a fresh working directory."""
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

GC_SSF = os.environ.get("GC_SSF", "gc-ssf")
# Workers run Debian's python3 (what the tests' apps import is there); named outright so that no
# PATH search or pyenv shim sits in every worker start.
os.environ.setdefault("SSF_PYTHON", "/usr/bin/python3")
SOURCE_DIR = Path(os.environ.get("SSF_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SHARED_DIR = Path(os.environ.get("SSF_SHARED_DIR", SOURCE_DIR.parent / "shared"))
FIXTURES = SOURCE_DIR / "tests" / "fixtures"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    log: str  # ssf.log of the call

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory holding a copy of the `simple` fixture app."""
    shutil.copytree(FIXTURES / "simple", tmp_path / "app")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def gc_ssf(workdir):
    def run(*args, env=None, cwd=None, timeout=60):
        full_env = dict(os.environ)
        full_env.pop("SSH_AUTH_SOCK", None)
        if env:
            full_env.update(env)
        where = Path(cwd or workdir)
        proc = subprocess.run([GC_SSF, *args], cwd=where, env=full_env, capture_output=True,
                              text=True, timeout=timeout)
        log_file = where / "ssf.log"
        log = log_file.read_text() if log_file.exists() else ""
        return Run(proc.returncode, proc.stdout, proc.stderr, log)
    return run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


class Server:
    """`gc-ssf ... run` on 127.0.0.1 with an ephemeral port; stopped with SIGINT."""

    def __init__(self, args, cwd, env=None, wait_ready=True, timeout=60, verify=True):
        import re
        import signal
        import threading
        import time
        self._signal = signal
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.cwd = Path(cwd)
        self.proc = subprocess.Popen(
            [GC_SSF, *args, "--host", "127.0.0.1", "--port", "0", "run"], cwd=cwd, env=full_env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.port = None
        self.scheme = "http"
        self.verify = verify  # requests' verify: a CA bundle path for a server started with TLS
        found = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.lines.append(line)
                match = re.search(r"Listening on (https?)://[^:]+:(\d+)", line)
                if match and not found.is_set():
                    self.scheme = match.group(1)
                    self.port = int(match.group(2))
                    found.set()
            found.set()

        self._thread = threading.Thread(target=pump, daemon=True)
        self._thread.start()
        found.wait(timeout)
        if self.port is None:
            self.stop()
            raise AssertionError("server did not start:\n" + "".join(self.lines))
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        if wait_ready:
            deadline = time.time() + timeout
            while not self.ready():
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError("server not ready:\n" + "".join(self.lines))
                time.sleep(0.05)

    def ready(self):
        import requests
        try:
            return requests.get(self.url + "/health/ready", timeout=5,
                                verify=self.verify).status_code == 200
        except requests.RequestException:
            return False

    @property
    def output(self):
        return "".join(self.lines)

    @property
    def log(self):
        path = self.cwd / "ssf.log"
        return path.read_text() if path.exists() else ""

    def stop(self, timeout=30):
        """SIGINT, as upstream's tests do; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(self._signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._thread.join(5)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_until(condition, timeout=20, interval=0.05):
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def run_app(tmp_path):
    """Starts the runtime fixture app (tests/fixtures/run/<name>) from a fresh directory."""
    servers = []

    def start(*args, fixture="app", env=None, wait_ready=True, verify=True):
        app = tmp_path / fixture
        if not app.exists():
            shutil.copytree(FIXTURES / "run" / fixture, app)
        server = Server(["--config", str(app / "ssf_config.yaml"), *args], cwd=tmp_path, env=env,
                        wait_ready=wait_ready, verify=verify)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
