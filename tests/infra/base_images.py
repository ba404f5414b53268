"""Base images for package tests, made on this machine and cached by their inputs.

    from base_images import rootfs, empty_layout
    rootfs("python")        # Path of a Debian bookworm minbase + python3 rootfs tarball (`rootfs:` base)
    rootfs("asr")           # the same plus PocketSphinx and its en-us model (the ASR example)
    empty_layout()          # Path of an OCI image layout holding one image with no layers at all

Command line (for shell scripts such as the benchmarks):
    python3 tests/infra/base_images.py rootfs [python|asr]     prints the tarball's path
    python3 tests/infra/base_images.py empty                   prints the layout's directory

Rootfs tarballs are made with `mmdebstrap --variant=minbase` from Debian's mirror (the one network
access the tests allow) and cached under $SSF_TEST_CACHE (default /var/cache/gc-ssf-test). The
cache key is every input that decides the content: suite, variant, package list and mmdebstrap's
version; a new input gives a new file, never a stale one. A build goes to a temporary name and is
renamed into place, under a lock, so that concurrent test runs build it once and never read half
a tarball. The empty layout is made with umoci (an independent OCI implementation), so that the
`oci-layout:` base path is exercised with a layout gc-ssf did not write itself.
"""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("SSF_TEST_CACHE", "/var/cache/gc-ssf-test"))
SUITE = "bookworm"
VARIANT = "minbase"
FLAVOURS = {
    "python": ["python3"],
    "asr": ["python3", "python3-pocketsphinx", "pocketsphinx-en-us"],
}
BUILD_TIMEOUT = 900  # seconds; a cold mirror on a slow link takes minutes


def _tool_version(argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.strip()


class _Lock:
    """An exclusive lock on a file beside the cache entries (fcntl: released if we die)."""

    def __init__(self, name):
        CACHE.mkdir(parents=True, exist_ok=True)
        self._file = open(CACHE / f".{name}.lock", "w")

    def __enter__(self):
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


def _key(*parts):
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def rootfs(flavour="python"):
    """The path of a rootfs tarball (`rootfs:<path>` base) of the given flavour; built once."""
    packages = sorted(FLAVOURS[flavour])
    version = _tool_version(["mmdebstrap", "--version"])
    path = CACHE / f"{SUITE}-{VARIANT}-{flavour}-{_key(SUITE, VARIANT, packages, version)}.tar"
    if path.exists():
        return path
    with _Lock(path.name):
        if path.exists():
            return path
        temp = path.with_name(path.name + f".part-{os.getpid()}.tar")
        try:
            subprocess.run(["mmdebstrap", "--quiet", f"--variant={VARIANT}",
                            "--include=" + ",".join(packages), SUITE, str(temp)],
                           check=True, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
            temp.rename(path)
        finally:
            temp.unlink(missing_ok=True)
    return path


def empty_layout():
    """The directory of an OCI image layout holding one image, tag `empty`, with zero layers."""
    version = _tool_version(["umoci", "--version"])
    path = CACHE / f"empty-layout-{_key('empty', version)}"
    if path.exists():
        return path
    with _Lock(path.name):
        if path.exists():
            return path
        temp = path.with_name(path.name + f".part-{os.getpid()}")
        shutil.rmtree(temp, ignore_errors=True)
        try:
            subprocess.run(["umoci", "init", "--layout", str(temp)], check=True, timeout=60,
                           capture_output=True)
            subprocess.run(["umoci", "new", "--image", f"{temp}:empty"], check=True, timeout=60,
                           capture_output=True)
            temp.rename(path)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    return path


def main(argv):
    if len(argv) >= 1 and argv[0] == "rootfs":
        print(rootfs(argv[1] if len(argv) > 1 else "python"))
        return 0
    if argv == ["empty"]:
        print(empty_layout())
        return 0
    print(__doc__.split("Command line")[1], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
