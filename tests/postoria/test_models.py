"""Response models tolerate the future; broken responses become protocol errors."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.errors import PostoriaProtocolError
from bridge.postoria import Media, MediaUpload, Post, SocialAccount
from bridge.postoria._parse import parse_list, parse_model, parse_post_page
from bridge.postoria.endpoints import GET_POST, LIST_POSTS, LIST_SOCIAL_ACCOUNTS

GET = GET_POST.call(ws=1, id=7)


def test_unknown_fields_and_enum_values_are_kept() -> None:
    post = parse_model(
        Post,
        {
            "id": 7,
            "status": "awaiting_approval",
            "date": "2026-08-01T09:00:00Z",
            "results": [{"account_id": 1, "link_to_post": None, "error": None, "retries": 2}],
            "instagram": {"caption": "Hi", "files": [{"url": "https://cdn/x.jpg"}]},
        },
        GET,
        200,
    )
    assert post.status == "awaiting_approval"
    assert post.model_extra == {
        "instagram": {"caption": "Hi", "files": [{"url": "https://cdn/x.jpg"}]}
    }
    assert post.results[0].model_extra == {"retries": 2}
    account = SocialAccount.model_validate(
        {"id": 1, "name": "Acme on Mastodon", "network": "mastodon", "url": "https://m/a"}
    )
    assert account.network == "mastodon"


def test_missing_required_fields_are_protocol_errors() -> None:
    with pytest.raises(PostoriaProtocolError) as caught:
        parse_model(Post, {"status": "posted"}, GET, 200)
    message = str(caught.value)
    assert "GET /workspaces/{ws}/posts/{id} answered HTTP 200" in message
    assert "id (missing)" in message
    assert caught.value.request_line == "GET /workspaces/1/posts/7"


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"data": "nope"}, {"data": [1]}, {"data": [{"id": 1}]}, {"items": []}],
)
def test_malformed_lists_are_protocol_errors(body: Any) -> None:
    with pytest.raises(PostoriaProtocolError):
        parse_list(SocialAccount, body, LIST_SOCIAL_ACCOUNTS.call(ws=1), 200)


def test_a_list_without_pagination_is_one_page() -> None:
    page = parse_post_page({"data": [{"id": 1, "status": "posted"}]}, LIST_POSTS.call(ws=1), 200)
    assert (len(page.data), page.has_more, page.next_cursor) == (1, False, None)


def test_post_result_errors_read_as_text() -> None:
    post = Post.model_validate(
        {
            "id": 1,
            "status": "posted",
            "results": [
                {"account_id": 1, "error": "Token expired"},
                {"account_id": 2, "error": {"code": "media_rejected", "message": "Too long"}},
                {"account_id": 3, "link_to_post": "https://x.com/acme/1"},
            ],
        }
    )
    texts = [post.result_for(n).error_text for n in (1, 2, 3)]  # type: ignore[union-attr]
    assert texts == ["Token expired", "Too long", None]
    assert post.result_for(4) is None


def test_media_readiness_needs_a_file_id() -> None:
    assert not Media(id=1, status="ready").is_ready
    assert Media(id=1, status="ready", file_id="f_1").is_ready
    assert Media(id=1, status="failed", error_code="corrupt_file").is_failed


def test_signed_upload_url_is_hidden_in_repr_and_dumps() -> None:
    secret = "https://storage.example/_storage/5?expires=1&signature=deadbeefcafe0123456789"
    upload = MediaUpload.model_validate(
        {"id": 5, "status": "waiting_for_upload", "upload": {"url": secret}}
    )
    assert secret not in repr(upload)
    assert secret not in str(upload)
    assert secret not in upload.model_dump_json()
    assert upload.upload.url.get_secret_value() == secret


def test_protocol_errors_never_echo_response_values() -> None:
    secret = "https://storage.example/_storage/5?signature=0123456789abcdef0123"
    with pytest.raises(PostoriaProtocolError) as caught:
        parse_model(MediaUpload, {"id": "x", "upload": {"url": secret}}, GET, 201)
    assert secret not in str(caught.value)
    assert "signature" not in str(caught.value)
