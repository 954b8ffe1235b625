"""The sandbox's real answers, for every endpoint, checked against its OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bridge.clock import isoformat_z
from bridge.sandbox import FaultRule, SandboxServer
from bridge.sandbox.openapi import OPENAPI

from .conftest import ACME, PLAIN, START
from .samples import png

DOC_URI = "urn:postoria-openapi"
REGISTRY = Registry().with_resource(
    DOC_URI, Resource.from_contents(OPENAPI, default_specification=DRAFT202012)
)
ROUTES = [
    (re.compile("^" + re.sub(r"\{[a-z_]+\}", r"\\d+", template) + "$"), template)
    for template in OPENAPI["paths"]
]


def validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{DOC_URI}#{pointer}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def documented_response(method: str, path: str, status: int) -> tuple[str, dict[str, Any]]:
    """The operation id and the response object the document gives for this answer."""
    template = next(t for pattern, t in ROUTES if pattern.match(path))
    operation = OPENAPI["paths"][template][method.lower()]
    responses = operation["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    assert key in responses, f"{method} {template} answered {status}, undocumented"
    response = responses[key]
    if "$ref" in response:
        response = OPENAPI["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return operation["operationId"], response


def check(response: httpx.Response) -> str:
    """Validate one real answer; returns the operation id it belongs to."""
    path = response.request.url.path.removeprefix("/v1")
    operation_id, documented = documented_response(
        response.request.method, path, response.status_code
    )
    content = documented.get("content")
    if content is None:
        assert response.content == b""
    else:
        assert response.headers["Content-Type"].startswith("application/json")
        pointer = content["application/json"]["schema"]["$ref"].removeprefix("#")
        validator(pointer).validate(response.json())
    for header in documented.get("headers", {}):
        assert header in response.headers, f"{operation_id}: missing {header}"
    return operation_id


@pytest.fixture
def recorded(server: SandboxServer) -> Iterator[tuple[httpx.Client, list[httpx.Response]]]:
    """A main-key client that keeps every answer it gets."""
    answers: list[httpx.Response] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        answers.append(response)

    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(
        base_url=server.url, headers=headers, event_hooks={"response": [keep]}
    ) as client:
        yield client, answers


def exercise(api: httpx.Client, server: SandboxServer) -> None:
    """Every endpoint, with successes and the errors each can give."""
    ws = f"/workspaces/{ACME}"
    api.get("/workspaces")
    api.get(f"{ws}/social-accounts")
    api.get(f"{ws}/queues")
    api.get("/workspaces/5/queues")  # 404
    api.get("/workspaces/5/social-accounts")  # 404
    slot = api.post(f"{ws}/media/uploads", json={"name": "a.png", "content_type": "image/png"})
    api.post(f"{ws}/media/uploads", json={"name": "a.png"})  # 400
    api.post("/workspaces/5/media/uploads", json={"name": "a.png", "content_type": "image/png"})
    media_id = slot.json()["id"]
    api.get(f"{ws}/media/{media_id}")  # waiting_for_upload
    PLAIN.put(slot.json()["upload"]["url"], content=png(), headers={"Content-Type": "image/png"})
    api.post(f"{ws}/media/{media_id}/complete")
    api.post(f"{ws}/media/{media_id}/complete")  # 409
    api.post(f"{ws}/media/999999/complete")  # 404
    api.get(f"{ws}/media/{media_id}")  # processing
    server.clock.advance(2)
    api.get(f"{ws}/media/{media_id}")  # ready
    api.get(f"{ws}/media/999999")  # 404
    imported = api.post(f"{ws}/media/imports", json={"url": "https://example.com/x.exe"})
    api.post(f"{ws}/media/imports", json={"url": "http://example.com/x.jpg"})  # 400
    api.post("/workspaces/5/media/imports", json={"url": "https://example.com/x.jpg"})  # 404
    server.clock.advance(2)
    api.get(f"{ws}/media/{imported.json()['id']}")  # failed
    later = isoformat_z(START + timedelta(hours=5))
    bodies = [
        {"publish_mode": "publish_now", "social_account_ids": [101, 104], "caption": "hi"},
        {
            "publish_mode": "schedule",
            "social_account_ids": [102],
            "caption": "later",
            "scheduled_time": later,
            "media_ids": [media_id],
            "repost": {"frequency": "every7_day", "until": isoformat_z(START + timedelta(30))},
        },
        {"publish_mode": "queue", "social_account_ids": [106], "caption": "q", "queue_id": 11},
    ]
    create_post_schema = validator("/components/schemas/CreatePost")
    ids = []
    for body in bodies:
        create_post_schema.validate(body)
        ids.append(api.post(f"{ws}/posts", json=body).json()["id"])
    api.post(f"{ws}/posts", json={"publish_mode": "publish_now"})  # 400
    api.post(f"{ws}/posts", content=b"{")  # 400 invalid_json
    api.post(f"{ws}/posts", json={**bodies[0], "social_account_ids": [999]})  # 422
    api.post("/workspaces/5/posts", json=bodies[0])  # 404
    api.get(f"{ws}/posts/{ids[0]}")  # in progress
    api.delete(f"{ws}/posts/{ids[0]}")  # 409
    server.clock.advance(1)
    api.get(f"{ws}/posts/{ids[0]}")  # posted, with a per-account error
    api.get(f"{ws}/posts", params={"limit": 1})
    api.get(f"{ws}/posts", params={"status": "posted", "networks": ["x", "instagram"]})
    api.get(f"{ws}/posts", params={"limit": 0})  # 400
    api.get("/workspaces/5/posts")  # 404
    api.delete(f"{ws}/posts/{ids[1]}")  # 204
    api.get(f"{ws}/posts/{ids[1]}")  # 404
    api.delete(f"{ws}/posts/{ids[1]}")  # 404
    server.faults.add(FaultRule(endpoint="get_post", kind="error", status=503, count=1))
    api.get(f"{ws}/posts/{ids[2]}")  # 503
    server.faults.add(FaultRule(endpoint="list_queues", kind="rate_limit", count=1))
    api.get(f"{ws}/queues")  # 429


def test_every_answer_matches_the_document(
    server: SandboxServer, recorded: tuple[httpx.Client, list[httpx.Response]]
) -> None:
    api, answers = recorded
    exercise(api, server)
    with httpx.Client(base_url=server.url, event_hooks={"response": [lambda r: r.read()]}) as anon:
        answers.append(anon.get("/workspaces"))  # 401
    covered: dict[str, set[int]] = {}
    for response in answers:
        covered.setdefault(check(response), set()).add(response.status_code)
    operations = {
        op["operationId"]
        for item in OPENAPI["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert set(covered) == operations
    for operation_id, statuses in covered.items():
        assert any(s < 300 for s in statuses), operation_id
        assert any(s >= 400 for s in statuses), operation_id


def test_document_is_served_without_a_key(server: SandboxServer) -> None:
    response = PLAIN.get(server.url + "/openapi.json")
    assert response.status_code == 200
    assert response.json() == OPENAPI
    assert response.json()["openapi"] == "3.1.0"


def test_document_schemas_are_valid_json_schema() -> None:
    for name, schema in OPENAPI["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert name[0].isupper()
    operation_ids = [
        op["operationId"]
        for item in OPENAPI["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids)) == 11


def test_unknown_paths_answer_the_error_schema(api: httpx.Client) -> None:
    for response in (api.get("/nothing"), api.patch("/workspaces")):
        validator("/components/schemas/Error").validate(response.json())
