"""Debian's docker-registry on loopback, in the modes the tests need (a context manager each).

    with start_registry(tmp_path, mode="plain") as reg:    # http://127.0.0.1:<port>
    with start_registry(tmp_path, mode="tls") as reg:      # https, a test CA, htpasswd Basic auth
    with start_registry(tmp_path, mode="basic") as reg:    # http, htpasswd Basic auth (an insecure
                                                           # registry, as edge hosts' dockerd see it)
    with start_registry(tmp_path, mode="token") as reg:    # Bearer tokens from token_issuer.py
    with start_registry(tmp_path, mode="harbor") as reg:   # token auth behind a Harbor-like front

`reg.host` is what goes in an image reference ("127.0.0.1:41234"), `reg.url` the base URL,
`reg.ca_file` the CA to trust (tls), `reg.users` the accounts ({"alice": "alice-secret", ...}),
`reg.log_text()` the registry's log, `reg.issuer_log()` the issuer's JSON lines (token modes),
`reg.push_archive(tar, "app:v1", user="alice")` copies a docker archive in (skopeo, no daemon).
Everything runs as child processes with a deadline, in a temporary directory that goes with
them; nothing listens beyond 127.0.0.0/8, or the gateway of a test fleet (`address=`,
tests/infra/edge_hosts.py) when edge hosts must pull from it. Secrets never go on a command line (htpasswd reads
the password on stdin).
"""
import base64
import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY = "/usr/bin/docker-registry"
PYTHON = "/usr/bin/python3"
INFRA = Path(__file__).resolve().parent
DEFAULT_USERS = {"alice": "alice-secret", "bob": "bob-secret", "robot$library+ci": "robot-secret"}
# Harbor-style project roles for the token modes: alice pushes to library and team, bob pulls
# library, the robot pushes to library only; "public" may be pulled by anyone.
DEFAULT_PROJECTS = {"library": {"alice": "push", "bob": "pull", "robot$library+ci": "push"},
                    "team": {"alice": "push"}, "public": {"alice": "push"}}


@dataclass
class Registry:
    mode: str
    host: str
    url: str
    root: Path
    users: dict
    ca_file: Path = None
    issuer_log_file: Path = None
    procs: list = field(default_factory=list)
    log_files: list = field(default_factory=list)

    def log_text(self):
        return "".join(p.read_text(errors="replace") for p in self.log_files if p.exists())

    def push_archive(self, archive, name, user=None):
        """Copies a docker-archive tarball to <host>/<name> with skopeo; returns the reference.
        The credentials go in a short-lived auth file, never on skopeo's command line."""
        argv = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false"]
        auth_file = self.root / "skopeo-auth.json"
        if user:
            token = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
            auth_file.touch(mode=0o600)
            auth_file.write_text(json.dumps({"auths": {self.host: {"auth": token}}}))
            argv += ["--dest-authfile", str(auth_file)]
        argv += [f"docker-archive:{archive}", f"docker://{self.host}/{name}"]
        try:
            subprocess.run(argv, check=True, capture_output=True, timeout=300)
        finally:
            auth_file.unlink(missing_ok=True)
        return f"{self.host}/{name}"

    def issuer_log(self):
        if not self.issuer_log_file or not self.issuer_log_file.exists():
            return []
        return [json.loads(line) for line in self.issuer_log_file.read_text().splitlines()]

    def upload_requests(self):
        """Blob upload requests (PATCH or PUT to blobs/uploads) the registry received."""
        lines = self.log_text().splitlines()
        return [l for l in lines if "/blobs/uploads/" in l and ('"PATCH ' in l or '"PUT ' in l)]


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def run(argv, **kw):
    subprocess.run(argv, check=True, capture_output=True, timeout=60, **kw)


def make_ca(d: Path):
    """A test CA and a server certificate for 127.0.0.1 and localhost, with the openssl CLI."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", d / "ca.key", "-out", d / "ca.crt",
         "-days", "2", "-subj", "/CN=gc-ssf test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", *ec, "-keyout", d / "server.key", "-out", d / "server.csr",
         "-subj", "/CN=127.0.0.1"])
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  "extendedKeyUsage=serverAuth\n")
    run(["openssl", "x509", "-req", "-in", d / "server.csr", "-CA", d / "ca.crt",
         "-CAkey", d / "ca.key", "-CAcreateserial", "-out", d / "server.crt", "-days", "2",
         "-extfile", d / "server.ext"])


def make_htpasswd(path: Path, users: dict):
    lines = []
    for user, password in users.items():
        out = subprocess.run(["htpasswd", "-niB", user], input=password, capture_output=True,
                             text=True, check=True, timeout=60)
        lines.append(out.stdout.strip())
    path.write_text("\n".join(lines) + "\n")


def make_signing_cert(d: Path):
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "token.key",
         "-out", d / "token.crt", "-days", "2", "-subj", "/CN=gc-ssf test token issuer"])


def wait_listening(url, proc, log, timeout=30, ca=None):
    ctx = ssl.create_default_context(cafile=str(ca)) if ca else None
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{Path(log).read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2, context=ctx)
            return
        except urllib.error.HTTPError:
            return  # an answer (401): listening
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"{url} not listening after {timeout} s:\n{Path(log).read_text()}")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_issuer(d: Path, users, projects, public, harbor, upstream, expires_in, extra=None,
                 address="127.0.0.1"):
    make_signing_cert(d)
    config = {"cert": str(d / "token.crt"), "key": str(d / "token.key"),
              "service": "harbor-registry", "issuer": "gc-ssf-test-issuer", "users": users,
              "projects": projects, "public": public, "expires_in": expires_in,
              "harbor": harbor, "upstream": upstream, "log": str(d / "issuer.jsonl"),
              "host": address, **(extra or {})}
    (d / "issuer.json").write_text(json.dumps(config))
    log = open(d / "issuer.out", "w")
    proc = subprocess.Popen([PYTHON, str(INFRA / "token_issuer.py"), str(d / "issuer.json")],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening "):
        stop(proc)
        raise RuntimeError("token issuer did not start: " + (d / "issuer.out").read_text())
    return proc, int(line.split()[1])


@contextlib.contextmanager
def start_registry(tmp: Path, mode="plain", users=None, projects=None, public=("public",),
                   expires_in=300, issuer_options=None, address="127.0.0.1"):
    """Starts docker-registry (and its issuer/front in token modes); stops all on exit.
    `issuer_options` go to token_issuer.py's config (e.g. {"fail_uploads": 2}); `address` is
    where everything listens (a fleet's gateway, for edge hosts to pull)."""
    assert mode in ("plain", "basic", "tls", "token", "harbor")
    users = dict(users or DEFAULT_USERS)
    projects = projects or DEFAULT_PROJECTS
    d = Path(tmp) / f"registry-{mode}-{os.getpid()}-{time.monotonic_ns()}"
    d.mkdir(parents=True)
    port = free_port(address)
    scheme = "https" if mode == "tls" else "http"
    reg = Registry(mode=mode, host=f"{address}:{port}", url=f"{scheme}://{address}:{port}",
                   root=d, users=users)
    config = [
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {d / 'data'}",
        "  delete:",
        "    enabled: true",
        "http:",
        f"  addr: {address}:{port}",
        "  headers:",
        "    X-Content-Type-Options: [nosniff]",
    ]
    try:
        if mode == "tls":
            make_ca(d)
            make_htpasswd(d / "htpasswd", users)
            reg.ca_file = d / "ca.crt"
            config += ["  tls:", f"    certificate: {d / 'server.crt'}", f"    key: {d / 'server.key'}",
                       "auth:", "  htpasswd:", "    realm: gc-ssf-test", f"    path: {d / 'htpasswd'}"]
        elif mode == "basic":
            make_htpasswd(d / "htpasswd", users)
            config += ["auth:", "  htpasswd:", "    realm: gc-ssf-test", f"    path: {d / 'htpasswd'}"]
        elif mode in ("token", "harbor"):
            proc, issuer_port = start_issuer(d, users, projects, list(public), mode == "harbor",
                                             f"{address}:{port}", expires_in, issuer_options,
                                             address)
            reg.procs.append(proc)
            reg.issuer_log_file = d / "issuer.jsonl"
            reg.log_files.append(d / "issuer.out")
            realm = f"http://{address}:{issuer_port}/service/token"
            config += ["auth:", "  token:", f"    realm: {realm}", "    service: harbor-registry",
                       "    issuer: gc-ssf-test-issuer", f"    rootcertbundle: {d / 'token.crt'}"]
            if mode == "harbor":
                # Clients speak to the front, which proxies /v2 to the registry.
                reg.host = f"{address}:{issuer_port}"
                reg.url = f"http://{address}:{issuer_port}"
        (d / "config.yml").write_text("\n".join(config) + "\n")
        log_path = d / "registry.log"
        reg.log_files.insert(0, log_path)
        log = open(log_path, "w")
        proc = subprocess.Popen([REGISTRY, "serve", str(d / "config.yml")], stdout=log,
                                stderr=subprocess.STDOUT)
        reg.procs.append(proc)
        ca = reg.ca_file if mode == "tls" else None
        wait_listening(f"{scheme}://{address}:{port}/v2/", proc, log_path, ca=ca)
        yield reg
    finally:
        for proc in reversed(reg.procs):
            stop(proc)


if __name__ == "__main__":
    # Manual use: python3 tests/infra/registry.py <mode> <dir>: serves until Ctrl-C.
    with start_registry(Path(sys.argv[2]), sys.argv[1]) as r:
        print(r.url, flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
