"""--enable-cors-middleware as upstream's tests/test_cors.py checks it, plus a preflight."""
import requests


def allowed(server, origin):
    headers = {"accept": "application/json"}
    if origin:
        headers["origin"] = origin
    r = requests.post(server.url + "/v1/Test1", json={"x": 101}, headers=headers, timeout=5)
    assert r.status_code == 200
    return "access-control-allow-origin" in r.headers


def test_no_cors_headers_by_default(run_app):
    server = run_app()
    assert not allowed(server, None)
    assert not allowed(server, "http://localhost")


def test_default_origin_regex(run_app):
    server = run_app("--enable-cors-middleware")
    for origin in ("http://localhost", "http://127.0.0.1", "https://localhost", "https://127.0.0.1",
                   "http://localhost:8100", "http://localhost:8101"):
        assert allowed(server, origin), origin
    assert not allowed(server, "https://bogus")
    r = requests.options(server.url + "/v1/Test1", headers={
        "origin": "http://localhost:5173", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,api_key"})
    assert r.status_code == 200 and r.text == "OK"
    assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert r.headers["access-control-allow-headers"] == "content-type,api_key"
    assert r.headers["access-control-max-age"] == "600"
    r = requests.options(server.url + "/v1/Test1", headers={
        "origin": "https://bogus", "access-control-request-method": "POST"})
    assert r.status_code == 400 and r.text == "Disallowed CORS origin"


def test_custom_origin_regex(run_app):
    server = run_app("--enable-cors-middleware", "--cors-allow-origin-regex",
                     "http://custom.origin.com")
    assert not allowed(server, "http://localhost")
    assert allowed(server, "http://custom.origin.com")
