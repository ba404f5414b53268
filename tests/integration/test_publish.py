"""`gc-ssf publish`: the image `package` wrote as an OCI layout (.package/<id>/image, named by the
package tag) pushed to a real docker-registry (tests/infra/registry.py), no Docker daemon."""
import base64
import json
import re
import subprocess
import sys

from conftest import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import oci_image  # noqa: E402
from registry import start_registry  # noqa: E402

CONFIG = "app/ssf_config.yaml"  # the `simple` fixture: application id simple-test


def package(workdir, tag, app_id="simple-test", **kw):
    """What `package` leaves behind: the layout, the manifest named by the tag."""
    return oci_image.make_image(workdir / ".package" / app_id / "image", tag, **kw)


def digest_in(output):
    match = re.search(r"Digest (sha256:[0-9a-f]{64})", output)
    return match.group(1) if match else None


def no_docker_config(tmp_path):
    return {"DOCKER_CONFIG": str(tmp_path / "no-docker-config"), "SSF_DOCKER_PASSWORD": "",
            "SSF_DOCKER_USERNAME": ""}


def test_publish_plain_then_republish_sends_nothing(workdir, gc_ssf, tmp_path):
    with start_registry(tmp_path, "plain") as reg:
        tag = f"{reg.host}/library/simple-test:1.0"
        desc = package(workdir, tag, layers=[("app/a.py", 2000), ("opt/ssf/gc-ssf", 100000)])
        run = gc_ssf("--config", CONFIG, "--package-tag", tag, "publish",
                     env=no_docker_config(tmp_path))
        assert run.code == 0, run.output
        assert digest_in(run.stdout) == desc["digest"]
        assert "3 blobs uploaded" in run.stdout
        out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{tag}"],
                             capture_output=True, text=True, timeout=60)
        assert json.loads(out.stdout)["Digest"] == desc["digest"]

        uploads = len(reg.upload_requests())
        again = gc_ssf("--config", CONFIG, "--package-tag", tag, "publish",
                       env=no_docker_config(tmp_path))
        assert again.code == 0, again.output
        assert "0 blobs uploaded (0.0 MB), 3 present" in again.stdout
        assert len(reg.upload_requests()) == uploads

        # One application file changed: only that layer, the config and the manifest go up.
        desc2 = package(workdir, tag, layers=[("app/a.py", 2001), ("opt/ssf/gc-ssf", 100000)])
        changed = gc_ssf("--config", CONFIG, "--package-tag", tag, "publish",
                         env=no_docker_config(tmp_path))
        assert changed.code == 0, changed.output
        assert "2 blobs uploaded" in changed.stdout and "1 present" in changed.stdout
        assert digest_in(changed.stdout) == desc2["digest"]


def test_publish_password_on_stdin_tls_and_wrong_password(workdir, gc_ssf, tmp_path):
    with start_registry(tmp_path, "tls") as reg:
        tag = f"{reg.host}/library/simple-test:1.0"
        desc = package(workdir, tag)
        base = ["--config", CONFIG, "--package-tag", tag, "--registry-ca", str(reg.ca_file),
                "--docker-username", "alice", "--docker-password-stdin", "publish"]
        # gc_ssf has no stdin parameter: run the binary directly for this one.
        import os
        env = dict(os.environ, **no_docker_config(tmp_path))
        ok = subprocess.run([os.environ.get("GC_SSF", "gc-ssf"), *base], cwd=workdir, env=env,
                            input=reg.users["alice"] + "\n", capture_output=True, text=True,
                            timeout=120)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert digest_in(ok.stdout) == desc["digest"]

        bad = subprocess.run([os.environ.get("GC_SSF", "gc-ssf"), *base], cwd=workdir, env=env,
                             input="Wrong-Pass-123\n", capture_output=True, text=True,
                             timeout=120)
        assert bad.returncode == 7
        errors = [l for l in bad.stderr.splitlines() if "ERROR" in l]
        assert len(errors) == 1
        assert reg.host in errors[0] and "library/simple-test" in errors[0]
        assert "unauthorized" in errors[0]
        log = (workdir / "ssf.log").read_text()
        assert "Wrong-Pass-123" not in log + bad.stdout + bad.stderr


def test_publish_password_from_option_is_redacted(workdir, gc_ssf, tmp_path):
    with start_registry(tmp_path, "tls") as reg:
        tag = f"{reg.host}/library/simple-test:2"
        package(workdir, tag)
        run = gc_ssf("--config", CONFIG, "--package-tag", tag, "--registry-ca", str(reg.ca_file),
                     "--docker-username", "alice", "--docker-password", reg.users["alice"],
                     "--file-log-level", "DEBUG", "publish", env=no_docker_config(tmp_path))
        assert run.code == 0, run.output
        assert reg.users["alice"] not in run.log + run.output


def test_publish_harbor_robot_from_environment_and_config_json(workdir, gc_ssf, tmp_path):
    with start_registry(tmp_path, "harbor") as reg:
        robot = "robot$library+ci"
        tag = f"{reg.host}/library/simple-test:1.0"
        desc = package(workdir, tag)
        env = no_docker_config(tmp_path)
        env.update(SSF_DOCKER_USERNAME=robot, SSF_DOCKER_PASSWORD=reg.users[robot])
        run = gc_ssf("--config", CONFIG, "--package-tag", tag, "publish", env=env)
        assert run.code == 0, run.output
        assert digest_in(run.stdout) == desc["digest"]

        # docker login's config.json, with the robot's name and its '$' intact.
        config_dir = tmp_path / "docker-config"
        config_dir.mkdir()
        auth = base64.b64encode(f"{robot}:{reg.users[robot]}".encode()).decode()
        (config_dir / "config.json").write_text(json.dumps({"auths": {reg.host: {"auth": auth}}}))
        tag2 = f"{reg.host}/library/simple-test:2.0"
        package(workdir, tag2, seed=5)
        env = {"DOCKER_CONFIG": str(config_dir), "SSF_DOCKER_PASSWORD": "",
               "SSF_DOCKER_USERNAME": ""}
        run = gc_ssf("--config", CONFIG, "--package-tag", tag2, "publish", env=env)
        assert run.code == 0, run.output

        # A project Harbor does not have: said so, exit 7.
        tag3 = f"{reg.host}/nosuch/simple-test:1.0"
        package(workdir, tag3)
        run = gc_ssf("--config", CONFIG, "--package-tag", tag3, "publish", env=env)
        assert run.code == 7
        assert "project 'nosuch' does not exist on Harbor registry" in run.output


def test_publish_without_package_says_so(workdir, gc_ssf, tmp_path):
    run = gc_ssf("--config", CONFIG, "--package-tag", "127.0.0.1:9/library/x:1", "publish",
                 env=no_docker_config(tmp_path))
    assert run.code == 7
    assert "run `gc-ssf package` first" in run.output


def test_publish_bad_tag_is_an_argument_error(workdir, gc_ssf, tmp_path):
    run = gc_ssf("--config", CONFIG, "--package-tag", "127.0.0.1:5000/Bad/Name:1", "publish",
                 env=no_docker_config(tmp_path))
    assert run.code == 1
    assert "invalid image reference '127.0.0.1:5000/Bad/Name:1'" in run.output


def test_publish_self_package_mode(workdir, gc_ssf, tmp_path):
    with start_registry(tmp_path, "plain") as reg:
        tag = f"{reg.host}/graphcore/simple-server-framework:1.2.0"
        desc = package(workdir, tag, app_id="simple-server-framework")
        run = gc_ssf("--package-tag", tag, "publish", env=no_docker_config(tmp_path))
        assert run.code == 0, run.output
        assert digest_in(run.stdout) == desc["digest"]
