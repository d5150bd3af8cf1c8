"""A headless Chromium for the public pages: the DOM after the scripts ran."""

import shutil
import subprocess

import pytest


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def dom(url, budget_ms=4000):
    """The page's DOM once its scripts and fetches are done."""
    exe = chromium()
    if not exe:
        pytest.skip("no Chromium on this machine")
    r = subprocess.run([exe, "--headless", "--disable-gpu", "--no-sandbox",
                        "--virtual-time-budget=%d" % budget_ms, "--dump-dom", url],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout
