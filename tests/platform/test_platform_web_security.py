"""The browser protections of api/web_security.py on a small app, in process: the fixed headers
on every answer, the CSP nonce and the CSRF cookie only where a page needs them."""
from __future__ import annotations

import asyncio
import re

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from api.web_security import CSRF_COOKIE, DOCS_CSP, HEADERS, WebSecurity, csp_nonce, csrf_token


def _app(https: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/json")
    def json_answer() -> dict:
        return {"ok": True}

    @app.get("/page", response_class=HTMLResponse)
    def page(request: Request) -> str:
        return f'<form><input name="csrf" value="{csrf_token(request)}"></form>' \
               f'<script nonce="{csp_nonce(request)}">1</script><i>{csp_nonce(request)}</i>'

    @app.get("/plain-page", response_class=HTMLResponse)
    def plain_page() -> str:  # asks for neither value
        return "<p>hello</p>"

    @app.post("/form", response_class=HTMLResponse)
    def form(request: Request) -> str:
        return f"[{csrf_token(request)}]"

    @app.get("/own-csp")
    def own_csp():
        from fastapi.responses import JSONResponse

        return JSONResponse({}, headers={"content-security-policy": "default-src 'none'", "x-frame-options": "SAMEORIGIN"})

    app.add_middleware(WebSecurity, https=https)
    return app


def _get(app, method: str, path: str, **kw) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return await c.request(method, path, **kw)

    return asyncio.run(go())


def _fixed_headers_present(r: httpx.Response) -> None:
    for k, v in HEADERS.items():
        assert r.headers[k] == v
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_json_answers_get_the_fixed_headers_and_no_nonce_or_cookie():
    r = _get(_app(), "GET", "/json")
    assert r.status_code == 200 and r.json() == {"ok": True}
    _fixed_headers_present(r)
    assert "nonce-" not in r.headers["content-security-policy"]
    assert "script-src 'self';" in r.headers["content-security-policy"]
    assert "set-cookie" not in r.headers and "strict-transport-security" not in r.headers
    assert len(r.headers.get_list("content-security-policy")) == 1


def test_a_page_script_carries_the_nonce_its_csp_allows_and_the_form_the_cookie_value():
    app = _app()
    seen = set()
    for _ in range(2):
        r = _get(app, "GET", "/page")
        _fixed_headers_present(r)
        nonces = re.findall(r'nonce="([^"]+)"', r.text)
        assert len(nonces) == 1 and nonces[0] in re.findall(r"<i>(.*)</i>", r.text)  # one per response
        assert f"script-src 'self' 'nonce-{nonces[0]}';" in r.headers["content-security-policy"]
        field = re.findall(r'name="csrf" value="([^"]+)"', r.text)[0]
        assert r.cookies[CSRF_COOKIE] == field and len(field) >= 32
        assert "SameSite=Strict" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        seen.add(nonces[0])
    assert len(seen) == 2  # a fresh nonce per response


def test_a_page_without_inline_scripts_still_sets_the_csrf_cookie():
    r = _get(_app(), "GET", "/plain-page")
    assert "nonce-" not in r.headers["content-security-policy"]
    assert len(r.cookies[CSRF_COOKIE]) >= 32


def test_a_browser_with_the_cookie_keeps_it_and_a_post_sets_none():
    app = _app()
    r = _get(app, "GET", "/page", headers={"Cookie": f"{CSRF_COOKIE}=mine"})
    assert 'value="mine"' in r.text and "set-cookie" not in r.headers
    r = _get(app, "POST", "/form")
    assert r.text == "[]" and "set-cookie" not in r.headers
    r = _get(app, "POST", "/form", headers={"Cookie": f"{CSRF_COOKIE}=mine"})
    assert r.text == "[mine]" and "set-cookie" not in r.headers


def test_https_adds_hsts_and_a_secure_cookie_and_a_route_own_headers_win():
    app = _app(https=True)
    r = _get(app, "GET", "/page")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert "; Secure" in r.headers["set-cookie"]
    r = _get(_app(), "GET", "/own-csp")
    assert r.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert r.headers.get_list("x-frame-options") == ["SAMEORIGIN"]


def test_the_docs_get_their_own_policy():
    r = _get(_app(), "GET", "/docs")
    assert r.headers["content-security-policy"] == DOCS_CSP


def test_the_results_page_polling_script_carries_the_nonce_of_its_policy():
    """The real template (api/templates/submission.html) of a submission still running: its
    inline polling script must carry the nonce that the response's CSP allows."""
    from api.deps import Principal
    from api.routes.web import templates

    st = {"id": 7, "track": "face", "phase": "prelim", "team": "t", "state": "running", "failure_class": None,
          "message": "", "stage": "scoring", "progress": 5.0, "queue_position": None, "score": None,
          "disqualified": False, "filename": "x.zip", "size_bytes": 10, "sha256": "ab" * 32,
          "created_at": "2026-01-01T00:00:00.000Z", "started_at": None, "finished_at": None, "attempts": 1,
          "remaining_quota": {"daily_left": 1, "daily_limit": 5, "total_limit": None}}
    app = FastAPI()

    @app.get("/submissions/7")
    def page(request: Request):
        return templates.TemplateResponse(request, "submission.html", {
            "user": Principal("team", 1, "t"), "st": st, "terminal": False, "groups": [], "scores_hidden": False,
            "pictures": [], "files": [], "show_logs": False, "logs": "", "status_url": "/api/v1/submissions/7"})

    app.add_middleware(WebSecurity)
    r = _get(app, "GET", "/submissions/7")
    assert r.status_code == 200
    nonces = re.findall(r'<script nonce="([^"]*)">', r.text)
    assert len(nonces) == 1 and len(nonces[0]) >= 16
    assert f"'nonce-{nonces[0]}'" in r.headers["content-security-policy"]
