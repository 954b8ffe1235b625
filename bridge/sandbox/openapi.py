"""The OpenAPI 3.1 document of the Postoria Public API v1, as the contract describes it.

Hand-written from ``shared/postoria-api.md``; served at ``/v1/openapi.json``. The sandbox's
tests validate its real answers against these schemas, so the document and the sandbox cannot
drift apart silently. Where the contract leaves a detail open (status codes of creates, the
exact error codes), the document says what the sandbox does and clients must stay tolerant.
"""

from __future__ import annotations

from typing import Any

from .networks import NETWORKS
from .validation import CONTENT_TYPES, PUBLISH_MODES

DATE_TIME_Z = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
    "description": "UTC ISO 8601 with a Z, like 2026-08-01T09:00:00Z.",
}
ID = {"type": "integer", "minimum": 1}


def ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any) -> dict:
    """An object schema whose ``required`` properties must all be present."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        **extra,
    }


def list_of(name: str) -> dict[str, Any]:
    """The contract's list shape around ``name`` items."""
    return obj({"data": {"type": "array", "items": ref(name)}, "pagination": ref("Pagination")})


SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {"type": "string", "description": "Open set; branch on the status."},
                    "message": {"type": "string"},
                    "param": nullable({"type": "string"}),
                    "details": {"description": "Anything, or null."},
                    "request_id": {"type": "string", "pattern": "^req_"},
                }
            )
        }
    ),
    "Pagination": obj(
        {"has_more": {"type": "boolean"}, "next_cursor": nullable({"type": "string"})}
    ),
    "Workspace": obj(
        {
            "id": ID,
            "name": {"type": "string"},
            "timezone": {"type": "string", "description": "IANA"},
        }
    ),
    "SocialAccount": obj(
        {
            "id": ID,
            "name": {"type": "string"},
            "description": nullable({"type": "string"}),
            "network": {"type": "string", "examples": list(NETWORKS)},
            "url": {"type": "string", "format": "uri"},
        }
    ),
    "Queue": obj({"id": ID, "name": {"type": "string"}, "is_paused": {"type": "boolean"}}),
    "MediaUpload": obj(
        {
            "id": ID,
            "status": {"const": "waiting_for_upload"},
            "upload": obj({"url": {"type": "string", "format": "uri"}}),
        },
        description="The upload URL is a short-lived signed storage URL: a secret.",
    ),
    "Media": obj(
        {
            "id": ID,
            "status": {
                "type": "string",
                "examples": ["waiting_for_upload", "processing", "ready", "failed"],
            },
            "file_id": nullable({"type": "string"}),
            "error_code": nullable({"type": "string"}),
            "error_message": nullable({"type": "string"}),
        }
    ),
    "CreateUpload": obj({"name": {"type": "string"}, "content_type": {"type": "string"}}),
    "ImportMedia": obj({"url": {"type": "string", "format": "uri", "pattern": "^https://"}}),
    "CreatePost": obj(
        {
            "publish_mode": {"enum": list(PUBLISH_MODES)},
            "social_account_ids": {"type": "array", "items": ID, "minItems": 1},
        },
        {
            "content_type": {"enum": list(CONTENT_TYPES)},
            "media_ids": {"type": "array", "items": ID},
            "caption": {"type": "string"},
            "link_url": {"type": "string", "format": "uri"},
            "first_comment": {"type": "string"},
            "comment_delay": {"type": "integer", "minimum": 0},
            "scheduled_time": {**DATE_TIME_Z, "description": "Required for schedule; future."},
            "queue_id": {**ID, "description": "Required for queue."},
            "repost": {
                "type": "object",
                "properties": {
                    "frequency": {
                        "type": "string",
                        "pattern": "^every([1-9]|[1-5][0-9]|60)_day$|^every[12346]_month$"
                        "|^every1_year$",
                    },
                    "until": DATE_TIME_Z,
                },
                "dependentRequired": {"until": ["frequency"]},
            },
            "youtube": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "visibility": {"enum": ["public", "private", "unlisted"]},
                    "category": {"type": "string"},
                    "made_for_kids": {"type": "boolean"},
                    "video_language": {"type": "string"},
                    "recording_date": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
            "tiktok": {
                "type": "object",
                "properties": {
                    "who_can_watch": {
                        "enum": [
                            "public_to_everyone",
                            "mutual_follow_friends",
                            "follower_of_creator",
                            "self_only",
                        ]
                    },
                    "allow_comments": {"type": "boolean"},
                    "allow_duet": {"type": "boolean"},
                    "allow_stitch": {"type": "boolean"},
                    "disclose_post_content": {"type": "boolean"},
                    "your_brand": {"type": "boolean"},
                    "branded_content": {"type": "boolean"},
                    "photo_title": {"type": "string"},
                    "auto_add_music": {"type": "boolean"},
                },
            },
        },
    ),
    "PostResult": obj(
        {
            "account_id": ID,
            "link_to_post": nullable({"type": "string", "format": "uri"}),
            "error": nullable({"type": "string"}),
        }
    ),
    "NetworkContent": obj(
        {
            "caption": {"type": "string"},
            "files": {"type": "array", "items": obj({"url": {"type": "string"}})},
        },
        description="Per-network content block of a post; clients may ignore it.",
    ),
    "Post": obj(
        {
            "id": ID,
            "status": {
                "type": "string",
                "examples": ["draft", "scheduled", "queued", "in_progress", "posted"],
            },
            "date": nullable(DATE_TIME_Z),
            "queue_id": nullable(ID),
            "results": {"type": "array", "items": ref("PostResult")},
        },
        {network: ref("NetworkContent") for network in NETWORKS},
    ),
    "WorkspaceList": list_of("Workspace"),
    "SocialAccountList": list_of("SocialAccount"),
    "QueueList": list_of("Queue"),
    "PostList": list_of("Post"),
}

RATE_HEADERS = {
    "X-RateLimit-Limit": {"schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}},
    "X-RateLimit-Reset": {
        "schema": {"type": "integer"},
        "description": "Seconds until the oldest counted request leaves the window.",
    },
}


def error_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An error answer with the envelope."""
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


RESPONSES = {
    "BadRequest": error_response("Malformed request or field (`param` names it)."),
    "Unauthorized": error_response("Missing, invalid or revoked key (`invalid_api_key`)."),
    "NotFound": error_response("No such resource for this key."),
    "Conflict": error_response("The resource is in a state that forbids this."),
    "Unprocessable": error_response("Well-formed, but cannot be honoured (`param` names it)."),
    "RateLimited": error_response(
        "Too many requests (`rate_limited`).",
        {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
    ),
    "ServerError": error_response("A transient server error."),
}


def answer(description: str, schema: str | None = None) -> dict[str, Any]:
    """A success answer with ``schema`` (or no body)."""
    response: dict[str, Any] = {"description": description, "headers": RATE_HEADERS}
    if schema:
        response["content"] = {"application/json": {"schema": ref(schema)}}
    return response


def operation(
    operation_id: str,
    summary: str,
    success: dict[str, dict[str, Any]],
    errors: tuple[str, ...] = (),
    body: str | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One operation, with the errors every authenticated call can meet."""
    codes = {"400": "BadRequest", "404": "NotFound", "409": "Conflict", "422": "Unprocessable"}
    responses: dict[str, Any] = dict(success)
    for status in errors:
        responses[status] = {"$ref": f"#/components/responses/{codes[status]}"}
    responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    responses["429"] = {"$ref": "#/components/responses/RateLimited"}
    responses["5XX"] = {"$ref": "#/components/responses/ServerError"}
    op: dict[str, Any] = {"operationId": operation_id, "summary": summary, "responses": responses}
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    if parameters:
        op["parameters"] = parameters
    return op


def path_param(name: str) -> dict[str, Any]:
    """An integer path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query(name: str, schema: dict[str, Any], description: str = "", **extra: Any) -> dict:
    """A query parameter."""
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


WS = [path_param("ws")]
LIST_POSTS_QUERY = [
    query("account_ids", {"type": "array", "items": ID}, "Repeat for several.", explode=True),
    query("queue_id", ID),
    query("status", {"type": "string"}),
    query("networks", {"type": "array", "items": {"type": "string"}}, "Repeat.", explode=True),
    query("date_from", DATE_TIME_Z),
    query("date_to", DATE_TIME_Z),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
    query("cursor", {"type": "string"}, "Opaque: pass `pagination.next_cursor` back."),
]

PATHS: dict[str, Any] = {
    "/workspaces": {
        "get": operation(
            "list_workspaces", "Workspaces of the key", {"200": answer("OK", "WorkspaceList")}
        )
    },
    "/workspaces/{ws}/social-accounts": {
        "parameters": WS,
        "get": operation(
            "list_social_accounts",
            "Connected social accounts",
            {"200": answer("OK", "SocialAccountList")},
            ("404",),
        ),
    },
    "/workspaces/{ws}/queues": {
        "parameters": WS,
        "get": operation(
            "list_queues", "Publishing queues", {"200": answer("OK", "QueueList")}, ("404",)
        ),
    },
    "/workspaces/{ws}/media/uploads": {
        "parameters": WS,
        "post": operation(
            "create_upload",
            "Create an upload slot with a temporary signed PUT URL",
            {"201": answer("Created", "MediaUpload")},
            ("400", "404"),
            body="CreateUpload",
        ),
    },
    "/workspaces/{ws}/media/{media_id}/complete": {
        "parameters": [*WS, path_param("media_id")],
        "post": operation(
            "complete_upload",
            "The bytes are uploaded: processing starts",
            {"200": answer("OK", "Media")},
            ("404", "409"),
        ),
    },
    "/workspaces/{ws}/media/imports": {
        "parameters": WS,
        "post": operation(
            "import_media",
            "Import from a public HTTPS URL; processing starts",
            {"201": answer("Created", "Media")},
            ("400", "404"),
            body="ImportMedia",
        ),
    },
    "/workspaces/{ws}/media/{media_id}": {
        "parameters": [*WS, path_param("media_id")],
        "get": operation(
            "get_media", "Media processing status", {"200": answer("OK", "Media")}, ("404",)
        ),
    },
    "/workspaces/{ws}/posts": {
        "parameters": WS,
        "post": operation(
            "create_post",
            "Create a post (no idempotency key: reconcile before retrying a lost answer)",
            {"201": answer("Created", "Post")},
            ("400", "404", "422"),
            body="CreatePost",
        ),
        "get": operation(
            "list_posts",
            "List posts, newest first",
            {"200": answer("OK", "PostList")},
            ("400", "404"),
            parameters=LIST_POSTS_QUERY,
        ),
    },
    "/workspaces/{ws}/posts/{post_id}": {
        "parameters": [*WS, path_param("post_id")],
        "get": operation(
            "get_post",
            "Post status and per-account results",
            {"200": answer("OK", "Post")},
            ("404",),
        ),
        "delete": operation(
            "delete_post",
            "Delete or cancel a post",
            {"204": answer("Deleted")},
            ("404", "409"),
        ),
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Postoria Public API",
        "version": "1",
        "description": "The contract postoria-bridge builds against, as served by its sandbox. "
        "Every non-2xx answer carries the Error envelope. Uploads are PUT to `upload.url` "
        "with the file's Content-Type and no bearer header.",
    },
    "servers": [{"url": "https://api.postoria.io/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}
