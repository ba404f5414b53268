"""examples/types: every SSF type over HTTP, both parameter formats, PNG outputs; and its
application tests, through `gc-ssf test --test-skip-start`."""
import shutil
import subprocess
import sys

import pytest
import requests

from conftest import GC_SSF, SOURCE_DIR, Server

EXAMPLE = SOURCE_DIR / "examples" / "types"
sys.path.insert(0, str(EXAMPLE))
import png  # noqa: E402  (the example's own PNG writer)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("types")
    shutil.copytree(EXAMPLE, work / "app")
    srv = Server(["--config", str(work / "app" / "ssf_config.yaml")], cwd=work)
    srv.work = work
    yield srv
    assert srv.stop() == 0, srv.output


def test_json_lists_single_values_and_list_any(server):
    r = requests.post(server.url + "/v1/TestTypes", json={
        "x_strings_list": ["a"], "x_ints_list": [1, "2"], "x_floats_list": [2],
        "x_bools_list": [True, "false"], "x_bool_only": "yes", "x_int_only": 41,
        "x_list_any": ["x", 1, 1.5, None, True]})
    assert r.status_code == 200, r.text
    assert r.json() == {"y_strings_list": ["a", "added on string"], "y_ints_list": [6, 7],
                        "y_floats_list": [6.0], "y_bools_list": [False, True],
                        "y_bool_only": True, "y_int_only": 42,
                        "y_list_any": ["x", 1, 1.5, None, True, 2]}


def test_query_scalars(server):
    r = requests.post(server.url + "/v1/TestScalars",
                      params={"x_string": "abc d", "x_float": "3", "x_int": "-4", "x_bool": "on"})
    assert r.status_code == 200, r.text
    assert r.json() == {"y_string": "d cba", "y_float": 1.5, "y_int": -8, "y_bool": False}
    missing = requests.post(server.url + "/v1/TestScalars", params={"x_string": "a"})
    assert missing.status_code == 422


def test_upload_in_png_out_with_outputs_in_headers(server):
    image = png.encode_rgb(3, 2, lambda x, y: (x, y, 0))
    r = requests.post(server.url + "/v1/TestFilesWithMixtureOfTypes",
                      params=[("x_strings_list", "p"), ("x_strings_list", "q"),
                              ("x_floats_list", "1"), ("x_bool_only", "false"),
                              ("x_int_only", "9")],
                      files={"tempfile": ("in.png", image, "image/png")})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png" and r.content == image
    assert r.headers["y_strings_list"] == "['p', 'q', 'added on string']"
    assert r.headers["y_floats_list"] == "[1.5]"
    assert r.headers["y_bool_only"] == "False" and r.headers["y_int_only"] == "10"


def test_render_draws_a_png(server):
    r = requests.post(server.url + "/v1/Render", json={"width": 300, "height": 7,
                                                       "colour": [10, 20, 30]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert png.size(r.content) == (300, 7)
    assert r.headers["pixels"] == "2100"
    bad = requests.post(server.url + "/v1/Render", json={"width": 0, "height": 7,
                                                         "colour": [10, 20, 30]})
    assert bad.status_code == 400
    assert "Render refused 0x7" in server.log


def test_the_application_tests_pass_under_gc_ssf_test(server):
    proc = subprocess.run([GC_SSF, "--config", str(server.work / "app" / "ssf_config.yaml"),
                           "--host", "127.0.0.1", "--port", str(server.port),
                           "--test-skip-start", "test"],
                          cwd=server.work / "app", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # ready, root, begin, 7 cases + Render, end (the server has no key: no security checks)
    assert "OK 12 KO 0" in proc.stdout
