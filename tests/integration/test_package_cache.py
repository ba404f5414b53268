"""`package` without a daemon: reproducible digests, the layer cache, the OCI layout, errors.

No Docker here: DOCKER_HOST names no socket, so gc-ssf writes files only. Bases are `scratch` or
a small rootfs tarball made by the test, so that each package takes a fraction of a second.
"""
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from conftest import GC_SSF, SOURCE_DIR

NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}
# The runtime layer the build made beside gc-ssf (cli/CMakeLists.txt; none in sanitizer builds).
BUILD_STORE = Path(GC_SSF).resolve().parent.parent / "share" / "gc-ssf" / "layers" / "keys"


def gc_ssf(*args, cwd, env=None):
    full = dict(os.environ)
    full.update(NO_DAEMON)
    full.update(env or {})
    return subprocess.run([GC_SSF, *map(str, args)], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300)


def set_package(config_file, **fields):
    """Sets application.package.<field> in a config file."""
    config = yaml.safe_load(config_file.read_text())
    config["application"].setdefault("package", {}).update(fields)
    config_file.write_text(yaml.safe_dump(config))


@pytest.fixture
def app(tmp_path):
    shutil.copytree(SOURCE_DIR / "examples" / "simple", tmp_path / "simple")
    (tmp_path / "simple" / "data").mkdir()
    (tmp_path / "simple" / "data" / "weights.txt").write_text("1 2 3\n")
    set_package(tmp_path / "simple" / "ssf_config.yaml", inclusions=["data/**"])
    return tmp_path


def package(cwd, *extra, base="scratch", env=None):
    return gc_ssf("--config", cwd / "simple" / "ssf_config.yaml", "--package-baseimage", base,
                  *extra, "package", cwd=cwd, env=env)


def digest(cwd, app_id="simple-test"):
    index = json.loads((cwd / ".package" / app_id / "image" / "index.json").read_text())
    [entry] = index["manifests"]
    return entry["digest"], entry["annotations"]["org.opencontainers.image.ref.name"]


def layer_lines(out):
    """'Layer <name>: <outcome...>' for each 'package <tag>: <name> layer: <outcome>' line."""
    found = [re.search(r": (\w+) layer: (.*)", line) for line in out.stdout.splitlines()]
    return [f"Layer {m.group(1)}: {m.group(2)}" for m in found if m]


def test_same_inputs_same_digest_cold_or_warm(app):
    first = package(app)
    assert first.returncode == 0, first.stdout + first.stderr
    d1, name = digest(app)
    assert name == "simple-test:1.0"
    # Warm: every layer from the cache.
    warm = package(app)
    assert warm.returncode == 0
    assert all("cached" in line for line in layer_lines(warm)), warm.stdout
    assert digest(app)[0] == d1
    # Cold again, with every file's time changed: the same bytes.
    shutil.rmtree(app / ".package")
    for f in (app / "simple").rglob("*"):
        os.utime(f, (1234567, 1234567))
    cold = package(app)
    assert cold.returncode == 0
    # The runtime layer comes from the gc-ssf build's store; the application layer is made.
    runtime, application = layer_lines(cold)
    assert ("cached" if BUILD_STORE.is_dir() else "built") in runtime, cold.stdout
    assert "built" in application, cold.stdout
    assert digest(app)[0] == d1
    # The bundle: a docker build context (Dockerfile, src/app, opt/ssf) in one gzip stream.
    listing = subprocess.run(["tar", "-tzf", str(app / "simple-test.1.0.tar.gz")],
                             capture_output=True, text=True).stdout.split()
    assert listing[0] == "Dockerfile"
    assert "src/app/my_application.py" in listing and "opt/ssf/bin/gc-ssf" in listing
    # A different working directory and checkout path: still the same image.
    other = app / "elsewhere"
    shutil.copytree(app / "simple", other / "simple")
    assert package(other).returncode == 0
    assert digest(other)[0] == d1


def test_runtime_layer_made_by_package_is_the_one_the_build_made(app, tmp_path):
    """A copy of gc-ssf elsewhere has no build store beside it: package makes the runtime layer
    itself, and it is the same layer, so the image is the same whichever made it."""
    assert package(app).returncode == 0
    d1 = digest(app)[0]
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(GC_SSF, prefix / "bin" / "gc-ssf")
    shutil.copytree(Path(GC_SSF).resolve().parent.parent / "share" / "gc-ssf" / "python",
                    prefix / "share" / "gc-ssf" / "python")
    shutil.rmtree(app / ".package")
    out = subprocess.run([str(prefix / "bin" / "gc-ssf"), "--config", app / "simple" / "ssf_config.yaml",
                          "--package-baseimage", "scratch", "package"], cwd=app,
                         env={**os.environ, **NO_DAEMON}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    runtime, application = layer_lines(out)
    assert "built" in runtime and "built" in application, out.stdout
    assert digest(app)[0] == d1


def test_one_changed_file_rebuilds_only_the_application_layer(app):
    assert package(app).returncode == 0
    d1 = digest(app)[0]
    (app / "simple" / "data" / "weights.txt").write_text("4 5 6\n")
    out = package(app)
    assert out.returncode == 0
    lines = layer_lines(out)
    assert [line.split(":")[0] for line in lines] == ["Layer runtime", "Layer application"]
    assert "cached" in lines[0] and "built" in lines[1], lines
    assert digest(app)[0] != d1


def test_source_date_epoch_sets_every_time(app):
    assert package(app, env={"SOURCE_DATE_EPOCH": "1700000000"}).returncode == 0
    layout = app / ".package" / "simple-test" / "image"
    d, _ = digest(app)
    manifest = json.loads((layout / "blobs" / "sha256" / d[7:]).read_text())
    config = json.loads((layout / "blobs" / "sha256" / manifest["config"]["digest"][7:]).read_text())
    assert config["created"] == "2023-11-14T22:13:20Z"
    app_layer = layout / "blobs" / "sha256" / manifest["layers"][-1]["digest"][7:]
    with tarfile.open(app_layer) as tar:
        members = tar.getmembers()
    assert {m.mtime for m in members} == {1700000000}
    assert {(m.uid, m.gid) for m in members} == {(0, 0)}
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert "src/app/simple/data/weights.txt" not in [m.name for m in members]
    assert "src/app/data/weights.txt" in [m.name for m in members]
    assert "src/app/ssf_config.yaml" in [m.name for m in members]
    bad = package(app, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 36
    assert "SOURCE_DATE_EPOCH 'yesterday' is not a number of seconds" in bad.stdout + bad.stderr


def test_layout_is_valid_for_skopeo_and_umoci(app, tmp_path):
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text("ID=test\n")
    with tarfile.open(tmp_path / "rootfs.tar", "w") as tar:
        tar.add(root, arcname=".")
    out = package(app, base=f"rootfs:{tmp_path / 'rootfs.tar'}")
    assert out.returncode == 0, out.stdout + out.stderr
    layout = app / ".package" / "simple-test" / "image"
    inspect = subprocess.run(["skopeo", "inspect", f"oci:{layout}:simple-test:1.0"],
                             capture_output=True, text=True, timeout=60)
    assert inspect.returncode == 0, inspect.stderr
    info = json.loads(inspect.stdout)
    assert len(info["Layers"]) == 3  # rootfs, runtime, application
    assert info["Labels"]["ai.graphcore.ssf.application.name"] == "Test API"
    # umoci unpacks it into a runtime bundle, layer by layer.
    bundle = tmp_path / "bundle"
    unpack = subprocess.run(["umoci", "unpack", "--image", f"{layout}:simple-test:1.0",
                             str(bundle)], capture_output=True, text=True, timeout=120)
    assert unpack.returncode == 0, unpack.stderr
    rootfs = bundle / "rootfs"
    assert (rootfs / "etc" / "os-release").read_text() == "ID=test\n"
    assert os.access(rootfs / "opt" / "ssf" / "bin" / "gc-ssf", os.X_OK)
    assert (rootfs / "opt" / "ssf" / "lib" / "ld.so").is_file()
    assert (rootfs / "opt" / "ssf" / "lib" / "libc.so.6").is_file()
    assert (rootfs / "opt" / "ssf" / "share" / "gc-ssf" / "python" / "ssf" / "_worker.py").is_file()
    assert (rootfs / "src" / "app" / "my_application.py").is_file()
    interp = subprocess.run(["readelf", "-l", str(rootfs / "opt" / "ssf" / "bin" / "gc-ssf")],
                            capture_output=True, text=True).stdout
    assert "[Requesting program interpreter: /opt/ssf/lib/ld.so]" in interp


@pytest.mark.parametrize("args, message", [
    (("--package-baseimage", "rootfs:/nonexistent/base.tar"),
     "Failure packaging simple-test: base image 'rootfs:/nonexistent/base.tar': "
     "/nonexistent/base.tar is not a readable file"),
    (("--package-baseimage", "debian:12"),
     # Docker Hub cannot be reached from here: the pull fails, and says where.
     "base image 'debian:12': pull docker.io/library/debian:12: network"),
    (("--builder", "native", "--modify-config", "application.package.docker.run=RUN true"),
     "package.docker.run needs a builder that can RUN commands"),
    (("--package-output", "/nonexistent/dir/image.tar"), "/nonexistent/dir"),
    (("--modify-config", "application.module=missing.py"), "Missing application file"),
])
def test_errors_are_36_with_one_line_and_keep_the_previous_package(app, args, message):
    set_package(app / "simple" / "ssf_config.yaml", docker={"run": ""})
    assert package(app).returncode == 0
    before = (app / ".package" / "simple-test" / "image" / "index.json").read_text()
    base = () if "--package-baseimage" in args else ("--package-baseimage", "scratch")
    out = gc_ssf("--config", app / "simple" / "ssf_config.yaml", *base, *args, "package", cwd=app)
    assert out.returncode == 36, out.stdout + out.stderr
    errors = [line for line in (out.stdout + out.stderr).splitlines() if "ERROR" in line]
    assert len(errors) == 1 and message in errors[0], errors
    assert (app / ".package" / "simple-test" / "image" / "index.json").read_text() == before
    assert not [p for p in (app / ".package").iterdir() if ".tmp-" in p.name]


def test_docker_builder_needs_a_daemon(app):
    set_package(app / "simple" / "ssf_config.yaml", docker={"run": "RUN echo hi"})
    out = gc_ssf("--config", app / "simple" / "ssf_config.yaml", "package", cwd=app)
    assert out.returncode == 36
    assert "the docker builder needs a Docker daemon and none is reachable" in out.stdout + out.stderr


def test_options_from_env_splits_like_a_shell(tmp_path):
    # gc-ssf --options-from-env VAR: VAR's words are appended; quotes group, nothing expands.
    env = {"OPTS": "--stdout-log-level 'DEBUG' --modify-config \"a=$HOME b\""}
    out = gc_ssf("--options-from-env", "OPTS", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    bad = gc_ssf("--options-from-env", "OPTS", cwd=tmp_path, env={"OPTS": "--key 'open"})
    assert bad.returncode == 1
    assert "unterminated ' quote" in bad.stderr
