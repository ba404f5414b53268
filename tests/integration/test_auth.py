"""--key and session authentication against the real server on loopback (ssf-behaviour.md §5.7,
§12's test_session_authentication), with the §11 fixes: forged and stale session cookies are
refused; the key and passwords never reach ssf.log or the terminal."""
import subprocess

import requests

from conftest import GC_SSF, FIXTURES, wait_until, write

KEY = "k3y-0f-the-Api-7Zq"
KEY_REFUSED = {"detail": "Invalid credentials (Login first with /login?api_key=<key>)"}
SESSION_REFUSED = {"detail": "Invalid session (Login first with /session_login)"}


def test_api_key_sources_login_and_logout(run_app):
    server = run_app("--key", KEY, "--stdout-log-level", "DEBUG")
    url = server.url + "/v1/Test1"
    r = requests.post(url, json={"x": 1})
    assert r.status_code == 403 and r.json() == KEY_REFUSED
    assert requests.post(url, json={}).status_code == 403  # auth before validation
    assert requests.post(url, params={"api_key": "wrong"}, json={"x": 1}).status_code == 403
    assert requests.post(url, params={"api_key": KEY}, json={"x": 1}).status_code == 200
    assert requests.post(url, headers={"api_key": KEY}, json={"x": 1}).status_code == 200
    assert requests.post(url, cookies={"api_key": KEY}, json={"x": 1}).status_code == 200
    assert requests.post(url, cookies={"api_key": KEY[:-1]}, json={"x": 1}).status_code == 403
    for path in ("/", "/health/startup", "/health/ready", "/health/live", "/metrics", "/docs",
                 "/openapi.json"):
        assert requests.get(server.url + path).status_code == 200, path

    with requests.Session() as s:
        r = s.get(server.url + "/login", params={"api_key": "guess"})
        assert r.status_code == 403 and r.json() == KEY_REFUSED
        r = s.get(server.url + "/login", params={"api_key": KEY}, allow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/"
        assert "HttpOnly" in r.headers["set-cookie"] and "Max-Age=10080" in r.headers["set-cookie"]
        s.cookies.update(r.cookies)
        assert s.post(url, json={"x": 2}).status_code == 200
        r = s.get(server.url + "/logout")  # follows the redirect to /
        assert r.status_code == 200 and r.json() == {"message": "OK"}
        assert s.post(url, json={"x": 3}).status_code == 403
    code = server.stop()
    assert code == 0
    assert "> Adding API key security layer" in server.log
    assert KEY not in server.log and KEY not in server.output


def test_api_key_from_the_environment(run_app):
    # $SSF_API_KEY keeps the key off the command line; --key, when given, wins.
    server = run_app("--stdout-log-level", "DEBUG", env={"SSF_API_KEY": KEY})
    url = server.url + "/v1/Test1"
    assert requests.post(url, json={"x": 1}).status_code == 403
    assert requests.post(url, headers={"api_key": KEY}, json={"x": 1}).status_code == 200
    assert server.stop() == 0
    assert KEY not in server.log and KEY not in server.output
    server = run_app("--key", "other-key-123", env={"SSF_API_KEY": KEY})
    url = server.url + "/v1/Test1"
    assert requests.post(url, headers={"api_key": "other-key-123"}, json={"x": 1}).status_code == 200
    assert requests.post(url, headers={"api_key": KEY}, json={"x": 1}).status_code == 403


def test_session_login_with_the_default_module(run_app):
    server = run_app("--enable-session-authentication", "--stdout-log-level", "DEBUG")
    info = server.url + "/v1/Info"
    r = requests.post(info)
    assert r.status_code == 403 and r.json() == SESSION_REFUSED
    with requests.Session() as s:
        r = s.get(server.url + "/session_login", auth=("test", "wrongpassword"))
        assert r.status_code == 401 and r.json() == {"detail": "Invalid credentials"}
        assert r.headers["www-authenticate"] == "Basic"
        r = s.get(server.url + "/session_login", auth=("test", "123456"))
        assert r.status_code == 200  # the redirect to / was followed
        assert wait_until(lambda: "Created session" in server.log)
        r = s.post(info)
        assert r.status_code == 200
        assert "('user_id', '1')" in r.json()["meta"]
        assert s.get(server.url + "/session_status").json() == {"user_id": "1"}
        assert s.get(server.url + "/session_logout").status_code == 200
        assert wait_until(lambda: "Deleted session" in server.log)
        assert s.post(info).status_code == 403
    assert server.stop() == 0
    assert "whose only user is a test user" in server.log
    assert "123456" not in server.log and "wrongpassword" not in server.log
    assert "123456" not in server.output and "wrongpassword" not in server.output


def test_session_custom_module_forged_and_stale_cookies(run_app, tmp_path):
    password = "Fr3ddy-s3cret-pw"
    module = write(tmp_path / "auth" / "custom_authenticate_user.py", f'''
import logging
from secrets import compare_digest

def authenticate_user(username, password):
    # A careless module that logs the password: the worker blanks it out.
    logging.getLogger("auth").info(f"checking {{username}} with {{password}}")
    if compare_digest(username, "freddy") and compare_digest(password, "{password}"):
        return "freddy"
    return None
''')
    server = run_app("--enable-session-authentication", "--session-authentication-module-file",
                     str(module), "--session-authentication-timeout", "2", "--stdout-log-level",
                     "DEBUG")
    info = server.url + "/v1/Info"
    assert requests.get(server.url + "/session_login", auth=("test", "123456")).status_code == 401
    with requests.Session() as s:
        r = s.get(server.url + "/session_login", auth=("freddy", password), allow_redirects=False)
        assert r.status_code == 307
        assert "Max-Age=2" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        key = r.cookies["session_key"]
        assert len(key) == 64
        s.cookies.update(r.cookies)
        assert "('user_id', 'freddy')" in s.post(info).json()["meta"]
        assert s.get(server.url + "/session_status").json() == {"user_id": "freddy"}
        # Upstream let any unknown cookie through (§11); forged ones are refused here.
        for forged in ("0123456789abcdeffreddy", key[:-1] + ("0" if key[-1] != "0" else "1"), "x"):
            r = requests.post(info, cookies={"session_key": forged})
            assert r.status_code == 403 and r.json() == SESSION_REFUSED, forged
        # Stale: the session expires on the server, whatever the browser keeps.
        assert wait_until(lambda: requests.post(info, cookies={"session_key": key}).status_code
                          == 403, timeout=10)
    assert server.stop() == 0
    assert "checking freddy with ********" in server.log
    assert password not in server.log and password not in server.output
    assert key not in server.log


def test_session_module_errors_stop_the_server_at_start(tmp_path):
    app = tmp_path / "app"
    subprocess.run(["cp", "-r", str(FIXTURES / "run" / "app"), str(app)], check=True)
    no_function = write(tmp_path / "no_function.py", "def other(): pass\n")
    for module, text in ((tmp_path / "missing.py", "no such file"),
                         (no_function, "Failure finding authenticate_user")):
        proc = subprocess.run(
            [GC_SSF, "--config", str(app / "ssf_config.yaml"), "--enable-session-authentication",
             "--session-authentication-module-file", str(module), "--host", "127.0.0.1",
             "--port", "0", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 35, proc.stdout + proc.stderr
        assert str(module) in proc.stderr and text in proc.stderr
