"""/docs in headless Chromium (tests/browser/webdriver.py): the page renders every endpoint from
/openapi.json, a person can fill the inputs, upload a file, press Send and see the answer (a PNG
output as an image), with the API key typed into the page. Screenshots are kept under
$SSF_ARTIFACT_DIR (default <build>/artifacts)."""
import os
import struct
import sys
import zlib
from pathlib import Path

import pytest

from conftest import GC_SSF, SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "tests" / "browser"))
import webdriver  # noqa: E402

KEY = "docs-page-key-42"
ARTIFACTS = Path(os.environ.get("SSF_ARTIFACT_DIR") or Path(GC_SSF).resolve().parent.parent / "artifacts")


def png(width, height):
    """A valid RGB PNG of the given size (a gradient), made without any imaging library."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128))
                                        for x in range(width))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.fixture
def browser():
    assert webdriver.available(), "Debian's chromium and chromium-driver are needed"
    with webdriver.Browser() as b:
        yield b


def section(path):
    return f"section[data-path='{path}']"


def test_docs_page_sends_requests_with_the_key(run_app, browser, tmp_path):
    server = run_app("--key", KEY, fixture="types")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.open(server.url + "/docs")
    browser.wait_until("document.body.dataset.ready === 'true'")
    assert browser.run("return document.title;") == "Types test API - docs"
    for path in ("/v1/Scalars", "/v1/Lists", "/v1/QueryLists", "/v1/Image"):
        browser.wait_for(section(path))

    scalars = section("/v1/Scalars")
    browser.clear_and_type(browser.find(f"{scalars} input[data-input='s']"), "hello")
    browser.clear_and_type(browser.find(f"{scalars} input[data-input='i']"), "42")
    browser.clear_and_type(browser.find(f"{scalars} input[data-input='f']"), "2.5")
    # Without the key: the server's 403 is shown.
    browser.click(browser.find(f"{scalars} button.send"))
    status = browser.wait_for(f"{scalars} .result .status[data-status]")
    assert browser.text(status).startswith("403")
    browser.clear_and_type(browser.find("#api-key"), KEY)
    browser.click(browser.find(f"{scalars} button.send"))
    browser.wait_until(f"document.querySelector(\"{scalars} .result .status\")?.dataset.status === '200'")
    body = browser.text(browser.find(f"{scalars} .result .output-body"))
    assert '"s": "hello"' in body and '"i": 42' in body and '"f": 2.5' in body
    assert '"kinds": "str,int,float,bool"' in body

    # Query list inputs, typed as a comma-separated list.
    lists = section("/v1/QueryLists")
    browser.clear_and_type(browser.find(f"{lists} input[data-input='ls']"), "a, b,c")
    browser.clear_and_type(browser.find(f"{lists} input[data-input='i']"), "3")
    browser.click(browser.find(f"{lists} button.send"))
    browser.wait_until(f"document.querySelector(\"{lists} .result .status\")?.dataset.status === '200'")
    assert '"ls": [\n    "a",\n    "b",\n    "c"\n  ]' in browser.text(browser.find(f"{lists} .output-body"))

    # Upload a file; the PNG output is shown as an image, the other outputs as headers.
    image_file = tmp_path / "upload.png"
    image_file.write_bytes(png(48, 32))
    image = section("/v1/Image")
    browser.type(browser.find(f"{image} input[data-input='file']"), str(image_file))
    browser.clear_and_type(browser.find(f"{image} input[data-input='scale']"), "2")
    browser.click(browser.find(f"{image} button.send"))
    width = browser.wait_until(
        f"(() => {{ const i = document.querySelector(\"{image} img.output-image\");"
        f" return i && i.complete && i.naturalWidth; }})()")
    assert width == 48
    assert browser.run(f"return document.querySelector(\"{image} img.output-image\").naturalHeight;") == 32
    headers = browser.text(browser.find(f"{image} .result .outputs"))
    assert f"size: {2 * image_file.stat().st_size}" in headers
    assert "name: .png" in headers
    browser.run(f"document.querySelector(\"{image}\").scrollIntoView();")
    browser.screenshot(str(ARTIFACTS / "docs_page.png"))
    assert (ARTIFACTS / "docs_page.png").stat().st_size > 1000
    assert server.stop() == 0
    assert KEY not in server.log


def test_docs_page_needs_nothing_from_elsewhere(run_app):
    import requests
    server = run_app()
    page = requests.get(server.url + "/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/docs/docs.js", "/docs/docs.css"):
        assert asset in page.text
        assert requests.get(server.url + asset).status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
