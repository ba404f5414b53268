"""/openapi.json: every endpoint with its inputs and outputs and their types, examples where the
config has them (upstream's test_input_examples), titled as upstream."""
import requests


def test_document_describes_every_endpoint(run_app):
    server = run_app()
    doc = requests.get(server.url + "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Run test API (unsecure)"
    assert doc["info"]["version"] == "1.0"
    assert "securitySchemes" not in doc["components"]
    schemas = doc["components"]["schemas"]

    test1 = doc["paths"]["/v1/Test1"]["post"]
    ref = test1["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    inputs = schemas[ref.split("/")[-1]]
    assert inputs["properties"]["x"]["type"] == "integer"
    assert inputs["required"] == ["x"]
    assert inputs["examples"] == [{"x": 101}]
    out_ref = test1["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    outputs = schemas[out_ref.split("/")[-1]]["properties"]
    assert outputs["requests"]["type"] == "integer" and outputs["x_times_1000"]["type"] == "integer"
    for status in ("400", "403", "422"):
        assert status in test1["responses"]
    assert "security" not in test1

    info = doc["paths"]["/v1/Info"]["post"]
    assert "requestBody" not in info and "parameters" not in info
    for path in ("/", "/health/startup", "/health/ready", "/health/live"):
        assert "get" in doc["paths"][path]
    assert "/login" not in doc["paths"]


def test_query_multipart_png_and_security(run_app):
    server = run_app("--key", "k", "--enable-session-authentication", fixture="types")
    doc = requests.get(server.url + "/openapi.json").json()
    assert doc["info"]["title"] == "Types test API"
    schemas = doc["components"]["schemas"]

    lists = doc["paths"]["/v1/QueryLists"]["post"]
    params = {p["name"]: p for p in lists["parameters"]}
    assert params["ls"]["in"] == "query" and params["ls"]["required"]
    assert params["ls"]["schema"]["type"] == "array"
    assert params["ls"]["schema"]["items"] == {"type": "string"}
    assert params["i"]["schema"]["type"] == "integer"

    image = doc["paths"]["/v1/Image"]["post"]
    assert [p["name"] for p in image["parameters"]] == ["scale"]
    ref = image["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = schemas[ref.split("/")[-1]]
    assert body["properties"]["file"]["format"] == "binary" and body["required"] == ["file"]
    ok = image["responses"]["200"]
    assert ok["content"]["image/png"]["schema"]["format"] == "binary"
    assert set(ok["headers"]) >= {"name", "size", "tags"}
    assert ok["headers"]["tags"]["x-ssf-type"] == "ListString"

    scalars = doc["paths"]["/v1/Scalars"]["post"]
    ref = scalars["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    props = schemas[ref.split("/")[-1]]["properties"]
    assert [props[k]["type"] for k in ("s", "i", "f", "b")] == \
        ["string", "integer", "number", "boolean"]

    schemes = doc["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {"type": "apiKey", "in": "header", "name": "api_key"}
    assert schemes["SessionKeyCookie"]["name"] == "session_key"
    # Both are needed: each alternative names a key source and the session.
    assert all("SessionKeyCookie" in req for req in scalars["security"])
    assert {"/login", "/logout", "/session_login", "/session_logout", "/session_status"} <= \
        set(doc["paths"])
