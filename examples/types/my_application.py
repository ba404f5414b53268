"""The types example: every SSF type in and out, both parameter formats, PNG outputs.

The endpoints of upstream's types example keep their contract (the same inputs give the same
outputs), computed with the standard library only, so the example needs no pip install.
"""
import logging

from ssf.application_interface.application import (SSFApplicationInterface,
                                                   SSFApplicationTestInterface)
from ssf.application_interface.results import RESULT_OK

import png

logger = logging.getLogger("types")

MAX_SIDE = 1024


def transform(params: dict) -> dict:
    """Each output from its input, whichever endpoint sent them."""
    out = {}
    if "x_strings_list" in params:
        out["y_strings_list"] = params["x_strings_list"] + ["added on string"]
    if "x_ints_list" in params:
        out["y_ints_list"] = [i + 5 for i in params["x_ints_list"]]
    if "x_floats_list" in params:
        out["y_floats_list"] = [1.5 * f ** 2 for f in params["x_floats_list"]]
    if "x_bools_list" in params:
        out["y_bools_list"] = [not b for b in params["x_bools_list"]]
    if "x_bool_only" in params:
        out["y_bool_only"] = params["x_bool_only"]
    if "x_int_only" in params:
        out["y_int_only"] = params["x_int_only"] + 1
    if "x_list_any" in params:
        out["y_list_any"] = params["x_list_any"] + [2]
    if "x_string" in params:
        out.update(y_string=params["x_string"][::-1], y_float=params["x_float"] / 2,
                   y_int=params["x_int"] * 2, y_bool=not params["x_bool"])
    if "tempfile" in params:
        with open(params["tempfile"], "rb") as f:
            out["out_image"] = f.read()  # bytes: sent as the response body
    return out


def render(params: dict) -> dict:
    width, height, colour = params["width"], params["height"], params["colour"]
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE and len(colour) == 3
            and all(0 <= c <= 255 for c in colour)):
        logger.warning(f"Render refused {width}x{height} {colour}: sides 1..{MAX_SIDE}, "
                       "three colour values 0..255")
        return {}  # no `image`: the server answers 400
    r, g, b = colour
    image = png.encode_rgb(width, height, lambda x, y: (r * x // width, g * y // height, b))
    return {"image": image, "pixels": width * height}


class TypesApp(SSFApplicationInterface):
    def build(self) -> int:
        return RESULT_OK

    def startup(self) -> int:
        return RESULT_OK

    def request(self, params: dict, meta: dict) -> dict:
        if meta["endpoint_id"] == "Render":
            return render(params)
        return transform(params)

    def shutdown(self) -> int:
        return RESULT_OK


# ---- the application's own tests, run by `gc-ssf test` ------------------------------------------

IMAGE = png.encode_rgb(16, 8, lambda x, y: (x * 16, y * 32, 128))
LISTS = {"x_strings_list": ["string", "red"], "x_floats_list": [0.5, 2.0, 4.0, 1.25]}
LISTS_OUT = {"y_strings_list": "['string', 'red', 'added on string']",
             "y_floats_list": "[0.375, 6.0, 24.0, 2.34375]"}
SINGLE = {"x_bool_only": True, "x_int_only": 5000}
SINGLE_OUT = {"y_bool_only": "True", "y_int_only": "5001"}

# (endpoint, json body, query params, upload?, expected JSON or headers, expected status)
CASES = [
    ("TestTypes",
     {"x_strings_list": ["string", "red"], "x_ints_list": [0, 1, 2, 3, 4, 5],
      "x_floats_list": [0.5, 2.0, 4.0, 1.25], "x_bools_list": [True, False, True],
      "x_bool_only": True, "x_int_only": 5000, "x_list_any": ["string", 1, 1.5, None]},
     None, False,
     {"y_strings_list": ["string", "red", "added on string"], "y_ints_list": [5, 6, 7, 8, 9, 10],
      "y_floats_list": [0.375, 6.0, 24.0, 2.34375], "y_bools_list": [False, True, False],
      "y_bool_only": True, "y_int_only": 5001, "y_list_any": ["string", 1, 1.5, None, 2]}, 200),
    ("TestScalars", None, {"x_string": "héllo", "x_float": 2.5, "x_int": 21, "x_bool": "false"},
     False, {"y_string": "olléh", "y_float": 1.25, "y_int": 42, "y_bool": True}, 200),
    ("TestFiles", None, None, True, {}, 200),
    ("TestFilesWithSingleValueTypes", None, SINGLE, True, SINGLE_OUT, 200),
    ("TestFilesWithListTypes", None, LISTS, True, LISTS_OUT, 200),
    ("TestFilesWithMixtureOfTypes", None, {**SINGLE, **LISTS}, True, {**SINGLE_OUT, **LISTS_OUT},
     200),
    ("TestTypes", {"x_strings_list": ["a"]}, None, False, None, 422),
]


class TypesTest(SSFApplicationTestInterface):
    def begin(self, session, ipaddr: str) -> int:
        return RESULT_OK

    def subtest(self, session, ipaddr: str, index: int):
        more = True  # Render comes last
        if index == len(CASES):
            return self.render(session, ipaddr)
        endpoint, body, query, upload, expected, status = CASES[index]
        files = {"tempfile": ("image.png", IMAGE, "image/png")} if upload else None
        r = session.post(f"{ipaddr}/v1/{endpoint}", json=body, params=query, files=files,
                         timeout=30)
        what = f"{endpoint} -> {r.status_code}"
        if r.status_code != status:
            return False, f"{what}, expected {status}: {r.text[:200]}", more
        if status != 200:
            return True, what, more
        if not upload:
            return r.json() == expected, f"{what} {r.json()}", more
        headers = {k: r.headers.get(k) for k in expected}
        ok = r.content == IMAGE and r.headers["content-type"] == "image/png" and headers == expected
        return ok, f"{what} {len(r.content)} PNG bytes, headers {headers}", more

    def render(self, session, ipaddr: str):
        r = session.post(f"{ipaddr}/v1/Render", json={"width": 64, "height": 32,
                                                      "colour": [255, 128, 0]}, timeout=30)
        size = png.size(r.content) if r.status_code == 200 else None
        ok = size == (64, 32) and r.headers.get("pixels") == "2048"
        return ok, f"Render -> {r.status_code}, PNG {size}", False

    def end(self, session, ipaddr: str) -> int:
        return RESULT_OK
