"""Helpers for applications."""
import contextlib
import importlib.util
import logging
import os
import subprocess
import sys

from ssf.application_interface.results import SSFExceptionApplicationModuleError

logger = logging.getLogger("ssf")


def get_ipu_count() -> int:
    """IPUs on this host (`gc-info --ipu-count`); 0 when there are none or no IPU tooling."""
    try:
        out = subprocess.run(["gc-info", "--ipu-count"], capture_output=True, text=True, timeout=60)
        return int(out.stdout.strip()) if out.returncode == 0 else 0
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def get_poplar_version():
    """The Poplar SDK version (`gc-info --version`), or None without IPU tooling."""
    try:
        out = subprocess.run(["gc-info", "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.strip() if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


@contextlib.contextmanager
def temporary_cwd(path):
    """Runs the body with `path` as the working directory."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def load_module(path, module_id):
    """Imports the file at `path` as module `module_id` (once per process, as upstream).
    Any failure, an SSF exception raised at import included, is a module error (35)."""
    if module_id not in sys.modules:
        logger.info(f"loading module {path} with module name {module_id}")
        try:
            spec = importlib.util.spec_from_file_location(module_id, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_id] = module
            spec.loader.exec_module(module)
        except Exception as e:
            sys.modules.pop(module_id, None)
            raise SSFExceptionApplicationModuleError(f"Failure loading {path}.") from e
    return sys.modules[module_id]
