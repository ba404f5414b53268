"""--enable-ssl: TLS with a CA the test makes (openssl CLI), verified by curl and requests; old
protocol versions and plain HTTP refused; unreadable or mismatched files stop the server at
start with a clear error (128)."""
import subprocess

import pytest
import requests

from conftest import GC_SSF, FIXTURES, write


@pytest.fixture
def pki(tmp_path):
    """A test CA and a server certificate for 127.0.0.1/localhost signed by it; another key."""
    d = tmp_path / "pki"
    d.mkdir()

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=gc-ssf test CA")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    write(d / "ext.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                         "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    openssl("genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-out", "other.key")
    return d


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True,
                          text=True, timeout=30)


def test_https_verified_by_curl_and_requests(run_app, pki):
    server = run_app("--enable-ssl", "--ssl-certificate-file", str(pki / "server.pem"),
                     "--ssl-key-file", str(pki / "server.key"), "--key", "tls-key",
                     verify=str(pki / "ca.pem"))
    assert server.url.startswith("https://")
    out = curl("--cacert", str(pki / "ca.pem"), server.url + "/")
    assert out.returncode == 0 and out.stdout == '{"message":"OK"}', out.stderr
    out = curl("--cacert", str(pki / "ca.pem"), "-H", "api_key: tls-key", "-H",
               "content-type: application/json", "-d", '{"x": 4}', server.url + "/v1/Test1")
    assert out.returncode == 0 and '"x_times_1000":4000' in out.stdout, out.stderr
    # Keep-alive: several requests on one connection.
    with requests.Session() as s:
        for x in range(3):
            r = s.post(server.url + "/v1/Test1", json={"x": x}, headers={"api_key": "tls-key"},
                       verify=str(pki / "ca.pem"))
            assert r.status_code == 200 and r.json()["x_times_1000"] == x * 1000
        r = s.get(server.url + "/login", params={"api_key": "tls-key"}, allow_redirects=False,
                  verify=str(pki / "ca.pem"))
        assert r.status_code == 307 and "; Secure" in r.headers["set-cookie"]
    # Not trusted without the CA; TLS 1.1 and plain HTTP are refused.
    assert curl(server.url + "/").returncode == 60
    # TLS 1.1 offered by a client that allows it (security level 0) is refused by the server;
    # the same client gets TLS 1.2.
    def s_client(version):
        return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}",
                               version, "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile",
                               str(pki / "ca.pem")], input="", capture_output=True, text=True,
                              timeout=30)
    assert s_client("-tls1_1").returncode != 0
    tls12 = s_client("-tls1_2")
    assert tls12.returncode == 0 and "TLSv1.2" in tls12.stdout, tls12.stdout + tls12.stderr
    plain = curl(server.url.replace("https://", "http://") + "/")
    assert plain.returncode != 0
    tls13 = curl("--cacert", str(pki / "ca.pem"), "--tlsv1.3", server.url + "/")
    assert tls13.returncode == 0
    assert server.stop() == 0


def run_expecting_failure(tmp_path, *args):
    app = tmp_path / "app"
    if not app.exists():
        subprocess.run(["cp", "-r", str(FIXTURES / "run" / "app"), str(app)], check=True)
    return subprocess.run([GC_SSF, "--config", str(app / "ssf_config.yaml"), "--enable-ssl", *args,
                           "--host", "127.0.0.1", "--port", "0", "run"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_bad_certificate_or_key_stops_the_server_at_start(tmp_path, pki):
    cases = [
        ([], "--ssl-certificate-file ssl-cert.pem: cannot read: No such file or directory"),
        (["--ssl-certificate-file", str(pki / "server.pem"), "--ssl-key-file",
          str(pki / "nope.key")],
         f"--ssl-key-file {pki / 'nope.key'}: cannot read: No such file or directory"),
        (["--ssl-certificate-file", str(pki / "ext.cnf"), "--ssl-key-file",
          str(pki / "server.key")], f"--ssl-certificate-file {pki / 'ext.cnf'}: not a PEM"),
        (["--ssl-certificate-file", str(pki / "server.pem"), "--ssl-key-file",
          str(pki / "other.key")],
         f"--ssl-key-file {pki / 'other.key'}: does not match the certificate in "
         f"{pki / 'server.pem'}"),
    ]
    for args, message in cases:
        proc = run_expecting_failure(tmp_path, *args)
        assert proc.returncode == 128, proc.stdout + proc.stderr
        assert message in proc.stderr, proc.stderr
        assert "Listening on" not in proc.stdout
