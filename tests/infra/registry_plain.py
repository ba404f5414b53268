"""A plain-HTTP registry for tests: Debian's `docker-registry` (distribution 2.8), optionally with
Basic auth from an htpasswd (bcrypt) file.

    with PlainRegistry(workdir, address="127.0.0.1") as registry:
        registry.host                 # "127.0.0.1:41234", what image references start with
        registry.push_archive(archive_tar, "app:v1")   # skopeo copy of a docker archive

    with PlainRegistry(workdir, address=fleet.gateway, user="ci", password="s3cret") as registry:
        ...                           # edge hosts pull from it at fleet.gateway

It listens on one address only: loopback by default; deploy tests give it the gateway address of
their edge-host network (tests/infra/edge_hosts.py), which the hosts' daemons reach and treat as
insecure. Stopped and its storage removed on exit.
"""
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class PlainRegistry:
    def __init__(self, workdir, address="127.0.0.1", user=None, password=None):
        self.dir = Path(workdir) / f"registry-{address}"
        self.address = address
        self.user = user
        self.password = password
        self.port = None
        self.proc = None

    @property
    def host(self):
        return f"{self.address}:{self.port}"

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port(self.address)
        auth = ""
        if self.user:
            htpasswd = self.dir / "htpasswd"
            # The password goes on htpasswd's stdin (-i), not on its command line.
            out = subprocess.run(["htpasswd", "-Bin", self.user], input=self.password,
                                 capture_output=True, text=True, check=True)
            htpasswd.write_text(out.stdout)
            auth = f"auth:\n  htpasswd:\n    realm: gc-ssf-test\n    path: {htpasswd}\n"
        config = self.dir / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.dir / 'storage'}\n"
            "  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.host}\n"
            + auth)
        log = open(self.dir / "registry.log", "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("docker-registry exited:\n" +
                                   (self.dir / "registry.log").read_text()[-2000:])
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # 401 with auth: it is up
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not answer within 20 s")

    def push_archive(self, archive, name):
        """Copies a docker-archive tarball to <host>/<name> (skopeo, no daemon needed)."""
        argv = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false"]
        env = dict(os.environ)
        if self.user:
            # skopeo reads credentials from an auth file, which keeps them off its command line.
            import base64
            import json
            auth_file = self.dir / "skopeo-auth.json"
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            auth_file.write_text(json.dumps({"auths": {self.host: {"auth": token}}}))
            argv += ["--dest-authfile", str(auth_file)]
        argv += [f"docker-archive:{archive}", f"docker://{self.host}/{name}"]
        try:
            subprocess.run(argv, check=True, capture_output=True, text=True, timeout=300, env=env)
        finally:
            if self.user:
                (self.dir / "skopeo-auth.json").unlink(missing_ok=True)
        return f"{self.host}/{name}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)
