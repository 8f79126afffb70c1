"""A headless Chromium driven over the DevTools protocol on a pipe (no client library needed).

`chromium --remote-debugging-pipe` reads JSON commands, each ended by a NUL byte, on its file
descriptor 3 and writes replies and events the same way on descriptor 4. Used by the live
preview's end-to-end test and by bench/bench_serve.py.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--remote-debugging-pipe"]


class BrowserError(Exception):
    """The browser answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless browser with one page (a tab) attached."""

    def __init__(self, binary: str, width: int = 1000, height: int = 800):
        self._profile = tempfile.TemporaryDirectory(prefix="tablegen-chromium-")
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()

        def wire() -> None:  # in the child: the pipes on descriptors 3 and 4
            os.dup2(commands_r, 3)
            os.dup2(replies_w, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4))
        os.close(commands_r)
        os.close(replies_w)
        self._next = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._replies, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._arrived:
                        self._answers[message["id"]] = message
                        self._arrived.notify_all()

    def call(self, method: str, *, session: bool = False, timeout: float = 30,
             **params: Any) -> dict[str, Any]:
        """Send one command (to the page when `session`) and wait for its answer."""
        self._next += 1
        number = self._next
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        with self._arrived:
            if not self._arrived.wait_for(lambda: number in self._answers, timeout):
                raise BrowserError(f"{method}: no answer within {timeout} s")
            answer = self._answers.pop(number)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})  # type: ignore[no-any-return]

    def open(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (None while a page is loading)."""
        try:
            result = self.call("Runtime.evaluate", session=True, expression=expression,
                               returnByValue=True)
        except BrowserError:
            return None
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 20, step: float = 0.01) -> float:
        """Poll until the expression is true in the page; the seconds it took."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.evaluate(expression) is True:
                return time.perf_counter() - start
            time.sleep(step)
        raise BrowserError(f"not true within {timeout} s: {expression}")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._commands)
        os.close(self._replies)
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def page_text(selector: str = "body") -> str:
    """A JavaScript expression: the text of the first element matching `selector` ('' if none)."""
    return f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText"
