"""lib/registry against Debian's docker-registry (tests/infra/registry.py) in its four modes, through
ssf-registry-tool (push/pull as a command). Every test pushes, and most pull back and compare."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GC_SSF, SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "tests" / "infra"))
import oci_image  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from registry import start_registry  # noqa: E402

TOOL = str(Path(GC_SSF).parent / "ssf-registry-tool")


class Outcome:
    def __init__(self, proc):
        self.code = proc.returncode
        self.stderr = proc.stderr
        lines = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
        self.blobs = [l for l in lines if "blob" in l]
        self.result = next((l for l in lines if "digest" in l and "blob" not in l), None)

    def outcomes(self):
        return sorted(b["outcome"] for b in self.blobs)


def tool(*args, password=None, timeout=120):
    env = dict(os.environ)
    env.pop("SSF_DOCKER_PASSWORD", None)
    if password is not None:
        env["SSF_DOCKER_PASSWORD"] = password
    env["DOCKER_CONFIG"] = "/nonexistent"  # never the machine's own docker login
    proc = subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=timeout)
    return Outcome(proc)


def auth_args(reg, user="alice"):
    args = []
    if reg.ca_file:
        args += ["--ca", reg.ca_file]
    if reg.mode != "plain" and user:
        args += ["--user", user]
    return args


def same_blobs(a: Path, b: Path, desc):
    for d in [desc["config"], *desc["layers"]]:
        hexd = d["digest"].split(":")[1]
        assert (a / "blobs/sha256" / hexd).read_bytes() == (b / "blobs/sha256" / hexd).read_bytes()


def skopeo_digest(reg, ref, user="alice"):
    args = ["skopeo", "inspect", "--tls-verify=false"]
    if reg.mode != "plain":
        args += ["--creds", f"{user}:{reg.users[user]}"]
    out = subprocess.run([*args, f"docker://{ref}"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["Digest"]


@pytest.mark.parametrize("mode", ["plain", "tls", "token", "harbor"])
def test_push_pull_back_compare(tmp_path, mode):
    with start_registry(tmp_path, mode) as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img", layers=[("a.bin", 5000), ("b/c.bin", 300000)])
        ref = f"{reg.host}/library/app:1.0"
        pushed = tool("push", layout, "img", ref, *auth_args(reg), password=reg.users["alice"])
        assert pushed.code == 0, pushed.stderr
        assert pushed.result["digest"] == desc["digest"]
        assert pushed.outcomes() == ["uploaded"] * 3
        assert skopeo_digest(reg, ref) == desc["digest"]

        pulled_dir = tmp_path / "pulled"
        pulled = tool("pull", ref, pulled_dir, *auth_args(reg), password=reg.users["alice"])
        assert pulled.code == 0, pulled.stderr
        assert pulled.result["digest"] == desc["digest"]
        same_blobs(layout, pulled_dir, desc)
        index = json.loads((pulled_dir / "index.json").read_text())
        assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == ref

        # Pulling again fetches nothing: the layout is the cache.
        again = tool("pull", ref, pulled_dir, *auth_args(reg), password=reg.users["alice"])
        assert again.code == 0 and again.outcomes() == ["cached"] * 3


def test_push_again_uploads_no_blob(tmp_path):
    with start_registry(tmp_path, "plain") as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img", layers=[("a.bin", 20000)] * 1)
        ref = f"{reg.host}/team/app:1"
        assert tool("push", layout, "img", ref).code == 0
        uploads = len(reg.upload_requests())
        assert uploads >= 2
        again = tool("push", layout, "img", ref)
        assert again.code == 0, again.stderr
        assert again.outcomes() == ["present", "present"]
        assert again.result["bytes_sent"] == 0
        assert len(reg.upload_requests()) == uploads  # the registry saw no upload at all
        assert again.result["digest"] == desc["digest"]


def test_chunked_upload_and_pull(tmp_path):
    with start_registry(tmp_path, "plain") as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img", layers=[("big.bin", 700000)])
        ref = f"{reg.host}/library/chunky:1"
        pushed = tool("push", layout, "img", ref, "--chunk-size", 100000)
        assert pushed.code == 0, pushed.stderr
        patches = [l for l in reg.upload_requests() if '"PATCH ' in l]
        assert len(patches) >= 7  # 700 KB in 100 KB chunks
        pulled = tool("pull", ref, tmp_path / "pulled")
        assert pulled.code == 0 and pulled.result["digest"] == desc["digest"]
        same_blobs(layout, tmp_path / "pulled", desc)


def test_mount_across_repositories_with_token_scopes(tmp_path):
    with start_registry(tmp_path, "token") as reg:
        base_layout = tmp_path / "base"
        oci_image.make_image(base_layout, "base", layers=[("base.bin", 50000)], seed=7)
        base_ref = f"{reg.host}/library/base:1"
        assert tool("push", base_layout, "base", base_ref, "--user", "alice",
                    password=reg.users["alice"]).code == 0
        # The app image shares the base layer and names its base: that layer is mounted.
        app_layout = tmp_path / "app"
        desc = oci_image.make_image(app_layout, "app",
                                    layers=[("base.bin", 50000), ("app.bin", 1000)], seed=7,
                                    base_name=base_ref)
        pushed = tool("push", app_layout, "app", f"{reg.host}/library/app:1", "--user", "alice",
                      password=reg.users["alice"])
        assert pushed.code == 0, pushed.stderr
        by_digest = {b["blob"]: b["outcome"] for b in pushed.blobs}
        assert by_digest[desc["layers"][0]["digest"]] == "mounted"
        assert by_digest[desc["layers"][1]["digest"]] == "uploaded"
        # One token for the whole push, asked with the mount source's pull scope beside ours.
        tokens = [e for e in reg.issuer_log() if e["kind"] == "token"]
        assert len(tokens) == 2  # one per push
        assert sorted(tokens[-1]["scopes"]) == ["repository:library/app:pull,push",
                                                "repository:library/base:pull"]


def test_token_auth_rights_and_anonymous(tmp_path):
    with start_registry(tmp_path, "token") as reg:
        layout = tmp_path / "image"
        oci_image.make_image(layout, "img")
        # bob may only pull in library: his push is refused with 7 and a clear cause.
        bob = tool("push", layout, "img", f"{reg.host}/library/app:1", "--user", "bob",
                   password=reg.users["bob"])
        assert bob.code == 7
        assert "unauthorized" in bob.stderr and reg.host in bob.stderr and "library/app" in bob.stderr
        # A wrong password: the token service says so.
        wrong = tool("push", layout, "img", f"{reg.host}/library/app:1", "--user", "alice",
                     password="not-it")
        assert wrong.code == 7 and "rejected the credentials of user 'alice'" in wrong.stderr
        # Anonymous: pull from the public project, never push.
        assert tool("push", layout, "img", f"{reg.host}/public/app:1", "--user", "alice",
                    password=reg.users["alice"]).code == 0
        assert tool("pull", f"{reg.host}/public/app:1", tmp_path / "anon").code == 0
        anon_push = tool("push", layout, "img", f"{reg.host}/public/other:1")
        assert anon_push.code == 7 and "unauthorized" in anon_push.stderr


def test_tls_basic_auth(tmp_path):
    with start_registry(tmp_path, "tls") as reg:
        layout = tmp_path / "image"
        oci_image.make_image(layout, "img")
        ref = f"{reg.host}/library/app:1"
        wrong = tool("push", layout, "img", ref, "--ca", reg.ca_file, "--user", "alice",
                     password="wrong-password")
        assert wrong.code == 7
        assert "unauthorized" in wrong.stderr and "wrong user name or password" in wrong.stderr
        assert "wrong-password" not in wrong.stderr
        untrusted = tool("push", layout, "img", ref, "--user", "alice",
                         password=reg.users["alice"])
        assert untrusted.code == 7 and "--registry-ca" in untrusted.stderr
        anonymous = tool("push", layout, "img", ref, "--ca", reg.ca_file)
        assert anonymous.code == 7 and "needs credentials" in anonymous.stderr


def test_harbor_robot_switch_to_basic_and_missing_project(tmp_path):
    with start_registry(tmp_path, "harbor") as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img")
        robot = "robot$library+ci"
        pushed = tool("push", layout, "img", f"{reg.host}/library/app/sub:1", "--user", robot,
                      password=reg.users[robot])
        assert pushed.code == 0, pushed.stderr
        assert pushed.result["digest"] == desc["digest"]

        # A mount source the token cannot cover: the Bearer request fails, Harbor answers with
        # a Basic challenge, the client carries on with Basic credentials and the push completes.
        other = tmp_path / "other"
        oci_image.make_image(other, "img", seed=3)
        switched = tool("push", other, "img", f"{reg.host}/library/other:1", "--user", "alice",
                        "--mount-from", "private/base", password=reg.users["alice"])
        assert switched.code == 0, switched.stderr
        assert any(e.get("basic") and e["status"] in (201, 202)
                   for e in reg.issuer_log() if e["kind"] == "v2")

        missing = tool("push", layout, "img", f"{reg.host}/nosuch/app:1", "--user", "alice",
                       password=reg.users["alice"])
        assert missing.code == 7
        assert "project 'nosuch' does not exist" in missing.stderr

        wrong = tool("push", layout, "img", f"{reg.host}/library/app:2", "--user", robot,
                     password="nope")
        assert wrong.code == 7 and "unauthorized" in wrong.stderr


@pytest.mark.parametrize("chunk", [64 << 20, 256 << 10])
def test_dropped_connection_mid_upload_still_completes(tmp_path, chunk):
    with start_registry(tmp_path, "plain") as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img", layers=[("big.bin", 3 << 20)])
        with FaultProxy(reg.host, after_bytes=1 << 20, drops=1) as proxy:
            ref = f"{proxy.host}/library/app:1"
            pushed = tool("push", layout, "img", ref, "--chunk-size", chunk, "--parallel", 1)
            assert pushed.code == 0, pushed.stderr
            # The upload of the big blob broke (it alone carries over 1 MB) and the push still
            # succeeded, so it was sent again: by the request's own retry (Session::send) or by
            # the blob's (BlobEvent::attempts), depending on whether curl saw the reset while
            # sending or while waiting for the answer.
            assert proxy.dropped == 1
        pulled = tool("pull", f"{reg.host}/library/app:1", tmp_path / "pulled")
        assert pulled.code == 0 and pulled.result["digest"] == desc["digest"]
        same_blobs(layout, tmp_path / "pulled", desc)


def test_pull_docker_schema2_and_linux_amd64_from_an_index(tmp_path):
    with start_registry(tmp_path, "plain") as reg:
        layout = tmp_path / "image"
        amd64 = oci_image.make_image(layout, "amd64", layers=[("a.bin", 3000)], seed=1)
        arm64 = oci_image.make_image(layout, "arm64", layers=[("a.bin", 3000)], seed=2)
        oci_image.make_index(layout, "multi", [(arm64, ("linux", "arm64")),
                                               (amd64, ("linux", "amd64"))])
        # skopeo puts them there: an OCI index, and the same image as Docker schema 2.
        for args in (["--all", f"oci:{layout}:multi", f"docker://{reg.host}/library/multi:1"],
                     ["--format", "v2s2", f"oci:{layout}:amd64",
                      f"docker://{reg.host}/library/docker:1"]):
            out = subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", *args],
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out.stderr
        multi = tool("pull", f"{reg.host}/library/multi:1", tmp_path / "multi")
        assert multi.code == 0, multi.stderr
        assert multi.result["digest"] == amd64["digest"]
        docker = tool("pull", f"{reg.host}/library/docker:1", tmp_path / "docker")
        assert docker.code == 0, docker.stderr
        assert docker.result["media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
        # skopeo rewrote the manifest (Docker media types), so its digest is skopeo's: compare.
        assert docker.result["digest"] == skopeo_digest(reg, f"{reg.host}/library/docker:1")


def test_503_with_retry_after_is_retried(tmp_path):
    with start_registry(tmp_path, "harbor",
                        issuer_options={"fail_uploads": 2, "retry_after": 1}) as reg:
        layout = tmp_path / "image"
        desc = oci_image.make_image(layout, "img")
        started = __import__("time").monotonic()
        pushed = tool("push", layout, "img", f"{reg.host}/library/app:1", "--user", "alice",
                      "--parallel", 1, password=reg.users["alice"])
        elapsed = __import__("time").monotonic() - started
        assert pushed.code == 0, pushed.stderr
        assert pushed.result["digest"] == desc["digest"]
        failures = [e for e in reg.issuer_log() if e["kind"] == "v2" and e["status"] == 503]
        assert len(failures) == 2
        assert elapsed >= 2  # Retry-After: 1, twice, was honoured

        # Without enough attempts the push fails with 7, a server error, and tags nothing.
        with start_registry(tmp_path / "again", "harbor",
                            issuer_options={"fail_uploads": 10}) as busy:
            failed = tool("push", layout, "img", f"{busy.host}/library/app:1", "--user", "alice",
                          "--attempts", 2, password=busy.users["alice"])
            assert failed.code == 7 and "server error" in failed.stderr
            assert not any(e["kind"] == "v2" and "/manifests/" in e["path"] and e["method"] == "PUT"
                           for e in busy.issuer_log())


def test_short_lived_tokens_are_reused_then_renewed(tmp_path):
    with start_registry(tmp_path, "token", expires_in=4) as reg:
        layout = tmp_path / "image"
        oci_image.make_image(layout, "img", layers=[("a.bin", 1000)] * 1)
        pushed = tool("push", layout, "img", f"{reg.host}/library/app:1", "--user", "alice",
                      "--parallel", 1, password=reg.users["alice"])
        assert pushed.code == 0, pushed.stderr
        # About 8 requests in well under a second: one token serves them all.
        assert len([e for e in reg.issuer_log() if e["kind"] == "token"]) == 1
