"""The interactive API docs work offline: every asset comes from the app itself."""

import re


async def test_docs_use_only_vendored_assets(client) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/docs")
    assert r.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?['"]([^'"]+)['"]""", r.text)
    flat = [u for pair in urls for u in pair if u]
    assert flat and all(u.startswith("/") for u in flat), flat
    for u in flat:
        if u.startswith("/static/"):
            assert (await client.get(u)).status_code == 200, u
    assert "http" not in r.headers["content-security-policy"]
    assert (await client.get("/openapi.json")).json()["info"]["title"].startswith("waste-tracker")
