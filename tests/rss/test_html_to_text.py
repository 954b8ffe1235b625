from __future__ import annotations

import pytest

from bridge.text import collapse_whitespace, html_to_text, strip_tags, truncate


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("plain text", "plain text"),
        ("Fish &amp; chips", "Fish & chips"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div><p>Nested</p></div><div>blocks</div>", "Nested\n\nblocks"),
        ("line<br>break<br/>and<br><br>gap", "line\nbreak\nand\n\ngap"),
        ("<h2>Title</h2>Body", "Title\n\nBody"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>", "1 2\n3"),
        ('Read <a href="https://x.example/">the post</a>.', "Read the post."),
        ("<script>alert(1)</script>Shown<style>p { color: red }</style>", "Shown"),
        ("a&nbsp;&nbsp;b &#8211; c &eacute;", "a b – c é"),
        ("  lots \n\n of \t space  ", "lots of space"),
        ("<p>  padded  </p>\n\n\n<p> text </p>", "padded\n\ntext"),
        ("<pre>one\ntwo</pre>", "one\ntwo"),
        ("<b>unclosed <i>tags", "unclosed tags"),
        ("broken < markup & stuff", "broken < markup & stuff"),
        ("<img src='x.png' alt='pic'>", ""),
        ('<a title="a > b" href="/x">quoted</a> attribute', "quoted attribute"),
        ("before<!-- a <p> comment -->after", "beforeafter"),
        ("<P>Upper</P><DIV>case</DIV>", "Upper\n\ncase"),
        ("<!DOCTYPE html><?xml version='1.0'?><p>doc</p>", "doc"),
        ("text<script>never</script", "text"),
        ("&lt;b&gt;escaped&lt;/b&gt; stays literal", "<b>escaped</b> stays literal"),
        ("<p>para</p><br><p>after</p>", "para\n\nafter"),
        ("<div>one</div><br>two", "one\n\ntwo"),
        ("<param name=x>not a paragraph", "not a paragraph"),
        ("zero\u200bwidth space", "zerowidth space"),
        ("<p>a</p>\x01\x02<p>b</p>", "a\n\nb"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_html_to_text_drops_nul_characters() -> None:
    assert html_to_text("a\x00<b>b</b>") == "ab"


def test_html_to_text_handles_long_documents() -> None:
    html = "<p>word <b>bold</b> &amp; more</p>" * 5000
    text = html_to_text(html)
    assert text.count("\n\n") == 4999
    assert text.startswith("word bold & more")


def test_collapse_whitespace() -> None:
    assert collapse_whitespace("  a \n b\t\tc ") == "a b c"


def test_strip_tags_gives_one_line() -> None:
    assert strip_tags("<p>Big</p><p>news &amp; more</p>") == "Big news & more"


def test_strip_tags_keeps_double_escaped_entities_literal() -> None:
    # "&amp;amp;" in a type=html title is a literal "&amp;" the author typed.
    assert strip_tags("Q&amp;amp;A") == "Q&amp;A"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("the quick brown fox", 12, "the quick…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
        ("abc", 0, ""),
        ("abcdef", 1, "…"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    result = truncate(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_truncate_rejects_negative_limit() -> None:
    with pytest.raises(ValueError, match="negative"):
        truncate("x", -1)
