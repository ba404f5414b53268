"""A small W3C WebDriver client for Debian's chromium + chromedriver, over `requests` (no
selenium). Headless, sandbox off (CI runs as root), a throw-away profile; everything it starts is
stopped by close(), which the context manager calls even when a test fails.

    with Browser() as browser:
        browser.open("http://127.0.0.1:8100/docs")
        browser.wait_for("section[data-path='/v1/Test1']")
        ...
        browser.screenshot("shot.png")
"""
import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time

import requests

CHROMIUM = os.environ.get("SSF_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SSF_CHROMEDRIVER", "/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C element reference key


def available():
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriverError(AssertionError):
    pass


class Browser:
    def __init__(self, timeout=60):
        self.profile = tempfile.mkdtemp(prefix="ssf-chromium-")
        self.port = free_port()
        self.log = open(os.path.join(self.profile, "chromedriver.log"), "w")
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self.session = None
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    if requests.get(self.base + "/status", timeout=2).json()["value"]["ready"]:
                        break
                except (requests.RequestException, ValueError, KeyError):
                    pass
                if time.time() > deadline or self.driver.poll() is not None:
                    raise WebDriverError("chromedriver did not start")
                time.sleep(0.1)
            args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking",
                    f"--user-data-dir={os.path.join(self.profile, 'profile')}",
                    "--window-size=1280,1600"]
            caps = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
            value = self._call("POST", "/session", caps, timeout=timeout)
            self.session = value["sessionId"]
        except BaseException:
            self.close()
            raise

    def _call(self, method, path, body=None, timeout=30):
        r = requests.request(method, self.base + path, json=body, timeout=timeout)
        value = r.json().get("value")
        if r.status_code != 200:
            raise WebDriverError(f"{method} {path}: {r.status_code} {value}")
        return value

    def _s(self, path):
        return f"/session/{self.session}{path}"

    def open(self, url):
        self._call("POST", self._s("/url"), {"url": url})

    def find(self, css):
        """The first element matching `css`, or None."""
        found = self._call("POST", self._s("/elements"), {"using": "css selector", "value": css})
        return found[0][ELEMENT] if found else None

    def wait_for(self, css, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            element = self.find(css)
            if element:
                return element
            time.sleep(0.1)
        raise WebDriverError(f"no element {css!r} within {timeout} s")

    def wait_until(self, script, timeout=20):
        """Polls a JavaScript expression until it is truthy; returns its value."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.run(f"return ({script});")
            if value:
                return value
            time.sleep(0.1)
        raise WebDriverError(f"{script!r} still false after {timeout} s")

    def run(self, script, *args):
        return self._call("POST", self._s("/execute/sync"), {"script": script, "args": list(args)})

    def clear_and_type(self, element, text):
        self._call("POST", self._s(f"/element/{element}/clear"), {})
        self.type(element, text)

    def type(self, element, text):
        """Keys into an element; for <input type=file>, `text` is the path of the file to pick."""
        self._call("POST", self._s(f"/element/{element}/value"), {"text": text})

    def click(self, element):
        self._call("POST", self._s(f"/element/{element}/click"), {})

    def text(self, element):
        return self._call("GET", self._s(f"/element/{element}/text"))

    def screenshot(self, path):
        data = self._call("GET", self._s("/screenshot"))
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        if self.session:
            try:
                self._call("DELETE", self._s(""), timeout=10)
            except (requests.RequestException, WebDriverError):
                pass
            self.session = None
        if self.driver.poll() is None:
            self.driver.terminate()
            try:
                self.driver.wait(10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
