"""The browser-test helpers themselves: tool checks, the quiet local server."""

from __future__ import annotations

import pytest

from browser import need, serve, status_of


def test_missing_tools_skip_locally_and_fail_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        need(False, "chromium is missing")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        need(False, "chromium is missing")
    need(True, "never shown")


def test_serve_answers_on_loopback_and_stops(tmp_path):
    (tmp_path / "index.html").write_text("<p>hello</p>")
    with serve(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        assert status_of(base) == (200, "<p>hello</p>")
        assert status_of(base + "missing/")[0] == 404
    with pytest.raises(OSError):
        status_of(base)
