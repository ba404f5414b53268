"""Every SSF type over HTTP, both parameter formats, PNG outputs; batching."""
from concurrent.futures import ThreadPoolExecutor

import requests


def test_scalars_are_coerced_as_pydantic_did(run_app):
    server = run_app(fixture="types")
    r = requests.post(server.url + "/v1/Scalars", json={"s": "hi", "i": "42", "f": 2, "b": "yes"})
    assert r.status_code == 200, r.text
    assert r.json() == {"s": "hi", "i": 42, "f": 2.0, "b": True, "kinds": "str,int,float,bool"}


def test_lists(run_app):
    server = run_app(fixture="types")
    body = {"ls": ["a", "b"], "li": [1, "2"], "lf": [1, 2.5], "lb": [True, "false"], "la": ["x", 1, 1.5, None]}
    r = requests.post(server.url + "/v1/Lists", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"ls": ["a", "b"], "li": [1, 2], "lf": [1.0, 2.5], "lb": [True, False],
                        "la": ["x", 1, 1.5, None]}
    r = requests.post(server.url + "/v1/QueryLists", params=[("ls", "a"), ("ls", "b c"), ("i", "3")])
    assert r.json() == {"ls": ["a", "b c"], "i": 3}


def test_tempfile_in_png_out_with_header_outputs(run_app):
    server = run_app(fixture="types")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    r = requests.post(server.url + "/v1/Image", params={"scale": 2},
                      files={"file": ("picture.png", png, "image/png")})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert r.content == png
    assert r.headers["name"] == ".png"
    assert r.headers["size"] == str(len(png) * 2)
    assert r.headers["tags"] == "['a', 'b']"
    missing = requests.post(server.url + "/v1/Image", params={"scale": 2})
    assert missing.status_code == 422


def test_batches_form_under_concurrent_load(run_app):
    server = run_app("--batching-timeout", "0.2", fixture="batched")
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda x: requests.post(server.url + "/v1/Test1", json={"x": x}).json(),
                                range(64)))
    assert [a["x_times_1000"] for a in answers] == [x * 1000 for x in range(64)]
    assert max(a["batch"] for a in answers) == 4
    assert sum(a["batch"] == 4 for a in answers) >= 32
