"""Test images for deploys, made from this machine's files without a Docker daemon.

    archive = native_app_archive(workdir / "v1.tar", gc_ssf="build/bin/gc-ssf",
                                 module="build/examples/libnative_simple.so", tag="app:v1")
    registry.push_archive(archive, "app:v1")

The image is a docker archive (`docker save`'s format: manifest.json, the config, one layer) of:
  /opt/ssf/bin/gc-ssf and its Python shim, every shared library `ldd` lists for it and for the
  app module (at the same paths), and the loader; /bin/sh (static busybox); /src/app/ with the
  native example's ssf_config.yaml and its module. Its command is what the packaged image's is
  (ssf-behaviour.md §6.1): from the app's directory, `gc-ssf --config <config> run $SSF_OPTIONS`.

This stands in for `gc-ssf package` until that command is merged; the end-to-end tests use the
real package/publish chain, so only this module is swapped.
"""
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]


def _ldd(path):
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)", line)
        if m:
            libs.append(m.group(1))
    return libs


class _Layer:
    def __init__(self):
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w", format=tarfile.PAX_FORMAT)
        self.seen = set()

    def _info(self, name, kind, mode):
        info = tarfile.TarInfo(name.lstrip("/"))
        info.type = kind
        info.mode = mode
        info.mtime = 0
        return info

    def dir(self, name, mode=0o755):
        parts = Path(name.lstrip("/")).parts
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.seen:
                self.seen.add(d)
                self.tar.addfile(self._info(d, tarfile.DIRTYPE, mode if i == len(parts) else 0o755))

    def file(self, name, data, mode=0o644):
        self.dir(str(Path(name).parent))
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))
        self.seen.add(name.lstrip("/"))

    def copy(self, src, dest=None, mode=None):
        """A file of this machine; symlinks are kept as symlinks and their targets copied too."""
        src = Path(src)
        dest = dest or str(src)
        if dest.lstrip("/") in self.seen:
            return
        if src.is_symlink():
            target = os.readlink(src)
            self.dir(str(Path(dest).parent))
            info = self._info(dest, tarfile.SYMTYPE, 0o777)
            info.linkname = target
            self.tar.addfile(info)
            self.seen.add(dest.lstrip("/"))
            resolved = (src.parent / target) if not os.path.isabs(target) else Path(target)
            self.copy(resolved, str(Path(dest).parent / target) if not os.path.isabs(target)
                      else target)
            return
        self.file(dest, src.read_bytes(), mode if mode is not None else (src.stat().st_mode & 0o777))

    def symlink(self, name, target):
        self.dir(str(Path(name).parent))
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)
        self.seen.add(name.lstrip("/"))

    def bytes(self):
        self.tar.close()
        return self.buffer.getvalue()


def native_app_archive(out, gc_ssf, module, tag, config_text=None, env=None, labels=None,
                       files=None):
    """Writes a docker archive of the native example served by gc-ssf; returns its path.
    `files` ({name: bytes}) are added to /src/app (a TLS certificate and key, say)."""
    gc_ssf = Path(gc_ssf).resolve()
    module = Path(module).resolve()
    layer = _Layer()
    layer.dir("/tmp", 0o1777)
    layer.dir("/etc")
    layer.file("/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    layer.file("/etc/group", b"root:x:0:\n")
    layer.copy("/bin/busybox", "/bin/busybox")
    for applet in ("sh", "cat", "ls", "sleep", "kill", "ps", "wget"):
        layer.symlink(f"/bin/{applet}", "busybox")
    layer.copy(gc_ssf, "/opt/ssf/bin/gc-ssf", 0o755)
    shim = gc_ssf.parent.parent / "share" / "gc-ssf" / "python"
    if not shim.is_dir():
        shim = SOURCE_DIR / "templates" / "python"
    for path in sorted(shim.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            layer.copy(path, f"/opt/ssf/share/gc-ssf/python/{path.relative_to(shim)}")
    for lib in sorted(set(_ldd(gc_ssf) + _ldd(module))):
        layer.copy(lib)
    layer.copy(module, "/src/app/" + module.name)
    if config_text is None:
        config_text = (SOURCE_DIR / "examples" / "native" / "ssf_config.yaml").read_text()
    layer.file("/src/app/ssf_config.yaml", config_text.encode())
    for name, data in sorted((files or {}).items()):
        layer.file(f"/src/app/{name}", data)
    data = layer.bytes()

    diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/opt/ssf/bin:/bin", "SSF_OPTIONS="] + [f"{k}={v}" for k, v in
                                                                (env or {}).items()],
            "WorkingDir": "/src/app",
            "Cmd": ["/bin/sh", "-c",
                    "exec /opt/ssf/bin/gc-ssf --config /src/app/ssf_config.yaml run $SSF_OPTIONS"],
            "Labels": labels or {},
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "tests/infra/app_images.py"}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": ["layer/layer.tar"]}]
    out = Path(out)
    with tarfile.open(out, "w") as archive:
        for name, content in [(config_name, config_bytes), ("layer/layer.tar", data),
                              ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(content))
    return out


def build_native_images(workdir, gc_ssf, module):
    """The three images deploy tests use: v1 and v2 (good), and `bad` (exits at once: its config
    names a module that is not in the image). Returns {name: archive path}."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    base = (SOURCE_DIR / "examples" / "native" / "ssf_config.yaml").read_text()
    v2 = base.replace("version: 1.0\n", "version: 2.0\n", 1)
    bad = base.replace("module: libnative_simple.so", "module: libmissing.so", 1)
    return {
        "v1": native_app_archive(workdir / "v1.tar", gc_ssf, module, "app:v1", base),
        "v2": native_app_archive(workdir / "v2.tar", gc_ssf, module, "app:v2", v2),
        "bad": native_app_archive(workdir / "bad.tar", gc_ssf, module, "app:bad", bad),
    }


if __name__ == "__main__":
    import sys
    print(native_app_archive(sys.argv[1], sys.argv[2], sys.argv[3], "app:test"))
    shutil.os.sync()
