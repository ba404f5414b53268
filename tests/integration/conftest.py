"""Shared fixtures: run the built gc-ssf binary in a fresh working directory."""
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

GC_SSF = os.environ.get("GC_SSF", "gc-ssf")
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
