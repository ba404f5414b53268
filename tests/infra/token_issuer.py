#!/usr/bin/python3
"""A token issuer for Debian's docker-registry, and a small Harbor front (tests only, loopback only).

The registry's `auth.token` trusts the certificate this issuer signs its JWTs with (RS256, the
certificate in the `x5c` header, as distribution's token spec allows). Tokens grant per-repository
scopes the way Harbor does: a repository's project is its first path component, and each user has
a role per project ("push" implies "pull"); projects listed in `public` may be pulled anonymously.

Run as a process:  token_issuer.py <config.json>   (prints "listening <port>" when ready)
config.json: {"cert": "token.crt", "key": "token.key", "service": "harbor-registry",
              "issuer": "gc-ssf-test-issuer", "users": {"alice": "secret"},
              "projects": {"library": {"alice": "push"}}, "public": [],
              "expires_in": 300, "harbor": false, "upstream": "127.0.0.1:5000",
              "log": "issuer.log", "host": "127.0.0.1"}

With "harbor": true it also behaves as Harbor's front door does (goharbor/harbor
src/server/middleware/v2auth/auth.go) and proxies /v2/ to the registry ("upstream"):
  - a /v2 request that carried an Authorization header and still got 401 is answered with
    `Basic realm="harbor"` instead of the registry's Bearer challenge (goharbor/harbor#19588);
  - Basic credentials are accepted on /v2 directly (traded here for a token for that request);
  - wrong credentials at /service/token still get a token, with no access (goharbor/harbor#11632);
  - HEAD /api/v2.0/projects?project_name=<p> answers 200 or 404; GET /api/v2.0/ping answers Pong.
"fail_uploads": N answers the first N upload starts (POST .../blobs/uploads/) with 503, and
"retry_after": S adds Retry-After: S to them, for retry tests.
Every token request and every /v2 request is appended to "log" as one JSON line, so that tests
can count them.
"""
import base64
import http.client
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

HOP_HEADERS = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade"}
REPO_PATH = re.compile(r"^/v2/(.+?)/(blobs|manifests|tags)(/|$)")


class Issuer:
    def __init__(self, config):
        self.config = config
        with open(config["key"], "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(config["cert"], "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.lock = threading.Lock()

    def log(self, **entry):
        entry["time"] = time.time()
        with self.lock, open(self.config["log"], "a") as f:
            f.write(json.dumps(entry) + "\n")

    def check(self, authorization):
        """(user, ok): user None when anonymous; ok False for wrong credentials."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None, True
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        except Exception:
            return None, False
        users = self.config.get("users", {})
        return user, user in users and users[user] == password

    def granted(self, user, scope):
        """The access entry for one requested scope, or None."""
        parts = scope.split(":")
        if len(parts) != 3 or parts[0] != "repository":
            return None
        _, name, actions = parts
        project = name.split("/")[0]
        role = self.config.get("projects", {}).get(project, {}).get(user) if user else None
        allowed = set()
        if role == "push":
            allowed = {"pull", "push"}
        elif role == "pull" or project in self.config.get("public", []):
            allowed = {"pull"}
        wanted = [a for a in actions.split(",") if a in allowed]
        return {"type": "repository", "name": name, "actions": wanted} if wanted else None

    def token(self, user, scopes):
        now = int(time.time())
        access = [a for a in (self.granted(user, s) for s in scopes) if a]
        claims = {"iss": self.config["issuer"], "sub": user or "", "aud": self.config["service"],
                  "exp": now + int(self.config.get("expires_in", 300)), "nbf": now - 10,
                  "iat": now, "jti": uuid.uuid4().hex, "access": access}
        headers = {"x5c": self.x5c, "typ": "JWT"}
        return jwt.encode(claims, self.key, algorithm="RS256", headers=headers), access


def scopes_for(method, path, query):
    """Harbor-style: the scopes a /v2 request needs, for Basic credentials traded for a token."""
    match = REPO_PATH.match(path)
    if not match:
        return []
    actions = "pull" if method in ("GET", "HEAD") else "pull,push"
    scopes = [f"repository:{match.group(1)}:{actions}"]
    for source in parse_qs(query).get("from", []):
        scopes.append(f"repository:{source}:pull")
    return scopes


def make_handler(issuer):
    config = issuer.config

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the JSON log is what tests read
            pass

        def reply(self, status, body=b"", headers=None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_token(self, url):
            params = parse_qs(url.query)
            scopes = params.get("scope", [])
            user, ok = issuer.check(self.headers.get("Authorization"))
            issuer.log(kind="token", user=user, ok=ok, scopes=scopes)
            if not ok and not config.get("harbor"):
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                  {"Content-Type": "application/json",
                                   "WWW-Authenticate": 'Basic realm="token"'})
            token, _ = issuer.token(user if ok else None, scopes)
            body = json.dumps({"token": token, "access_token": token,
                               "expires_in": int(config.get("expires_in", 300)),
                               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            self.reply(200, body.encode(), {"Content-Type": "application/json"})

        def do_api(self, url):
            if url.path == "/api/v2.0/ping":
                return self.reply(200, b"Pong", {"Content-Type": "text/plain"})
            if url.path == "/api/v2.0/projects" and self.command == "HEAD":
                name = parse_qs(url.query).get("project_name", [""])[0]
                issuer.log(kind="api", path=url.path, project=name)
                return self.reply(200 if name in config.get("projects", {}) else 404)
            self.reply(404)

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                out = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return bytes(out)
                    out += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_proxy(self, url):
            # Fault injection for retry tests: the first `fail_uploads` upload starts get a 503
            # (with Retry-After when configured), as a registry that is briefly overloaded.
            if self.command == "POST" and url.path.endswith("/blobs/uploads/"):
                with issuer.lock:
                    fail = issuer.config.get("fail_uploads", 0) > 0
                    if fail:
                        issuer.config["fail_uploads"] -= 1
                if fail:
                    self.read_body()
                    issuer.log(kind="v2", method=self.command, path=url.path, status=503,
                               basic=False)
                    headers = {"Content-Type": "application/json"}
                    if issuer.config.get("retry_after"):
                        headers["Retry-After"] = str(issuer.config["retry_after"])
                    return self.reply(503, b'{"errors":[{"code":"UNAVAILABLE"}]}', headers)
            headers = {}
            for k, v in self.headers.items():  # repeated headers (Accept) joined, not dropped
                if k.lower() not in HOP_HEADERS:
                    headers[k] = headers[k] + ", " + v if k in headers else v
            authorization = self.headers.get("Authorization")
            if authorization and authorization.lower().startswith("basic "):
                user, ok = issuer.check(authorization)
                if not ok:
                    issuer.log(kind="v2", method=self.command, path=url.path, status=401,
                               basic=True)
                    self.read_body()
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                      {"Content-Type": "application/json",
                                       "WWW-Authenticate": 'Basic realm="harbor"'})
                token, _ = issuer.token(user, scopes_for(self.command, url.path, url.query))
                headers["Authorization"] = "Bearer " + token
            body = self.read_body()
            headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(config["upstream"], timeout=120)
            target = url.path + ("?" + url.query if url.query else "")
            conn.request(self.command, target, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            out = {k: v for k, v in response.getheaders()
                   if k.lower() not in HOP_HEADERS and k.lower() != "content-length"}
            if response.status == 401 and authorization:
                # Harbor's quirk: a credentialed request that failed gets a Basic challenge.
                for k in list(out):
                    if k.lower() == "www-authenticate":
                        del out[k]
                out["WWW-Authenticate"] = 'Basic realm="harbor"'
            issuer.log(kind="v2", method=self.command, path=url.path, status=response.status,
                       basic=bool(authorization and authorization.lower().startswith("basic ")))
            self.send_response(response.status)
            for k, v in out.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        def route(self):
            url = urlsplit(self.path)
            if url.path == "/service/token":
                return self.do_token(url)
            if config.get("harbor") and url.path.startswith("/api/"):
                return self.do_api(url)
            if config.get("harbor") and url.path.startswith("/v2"):
                return self.do_proxy(url)
            self.reply(404)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = route

    return Handler


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    issuer = Issuer(config)
    server = ThreadingHTTPServer((config.get("host", "127.0.0.1"), int(config.get("port", 0))),
                                 make_handler(issuer))
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
