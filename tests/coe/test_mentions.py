"""`coe.mentions.usernames`: which `@username`s a comment's Markdown mentions. Pure: no database."""

import pytest

from coe.mentions import usernames

CASES = [
    # (text, mentioned)
    ("", []),
    ("No one here.", []),
    ("@bob", ["bob"]),
    ("Ask @bob and @carol about it", ["bob", "carol"]),
    ("@bob, @carol; (@dan) [@erin] “@frank”", ["bob", "carol", "dan", "erin", "frank"]),
    ("Thanks @bob.", ["bob"]),
    ("Thanks @bob...", ["bob"]),
    ("@bob's graph", ["bob"]),
    ("@bob?", ["bob"]),
    ("line one\n@bob on line two", ["bob"]),
    # Django's username charset: letters, digits and . @ + - _
    ("@first.last @a_b @a-b @a+b", ["first.last", "a_b", "a-b", "a+b"]),
    ("@bob@example.com asked", ["bob@example.com"]),
    ("@josé and @李", ["josé", "李"]),
    # unique, in order of first mention
    ("@bob @carol @bob @carol @dan", ["bob", "carol", "dan"]),
    # case is kept: usernames are case-sensitive
    ("@Bob @bob", ["Bob", "bob"]),
]

NOT_MENTIONS = [
    "mail alice@example.com",
    "a@b.com",
    "see https://social.example/@bob",
    "path/@bob",
    "\\@bob is how you write the name without a ping",
    "an @ alone",
    "@",
    "@.",
    "x`@code`y",
    "`@bob`",
    "``@bob ` still code``",
    "```\n@bob\n```",
    "~~~python\n@bob\n~~~",
    "  ```\n  @bob\n  ```",
    "```\nunclosed fence runs to the end\n@bob",
    "````\n```\n@bob still inside the longer fence\n````",
]


@pytest.mark.parametrize(("text", "mentioned"), CASES)
def test_usernames_finds_the_mentions(text, mentioned):
    assert usernames(text) == mentioned


@pytest.mark.parametrize("text", NOT_MENTIONS)
def test_usernames_ignores_emails_links_escapes_and_code(text):
    assert usernames(text) == []


def test_usernames_in_text_around_code_are_found():
    text = "@before `@inside` @after\n\n```\n@fenced\n```\n\n@last"

    assert usernames(text) == ["before", "after", "last"]


def test_usernames_an_unmatched_backtick_is_literal():
    assert usernames("a stray ` then @bob") == ["bob"]


def test_usernames_an_escaped_backtick_opens_no_code_span():
    assert usernames("\\`@bob` here") == ["bob"]


def test_usernames_a_backtick_fence_with_a_backtick_in_its_info_is_text():
    assert usernames("```a`b\n@bob") == ["bob"]


def test_usernames_longer_than_a_username_can_be_are_ignored():
    assert usernames("@" + "a" * 150) == ["a" * 150]
    assert usernames("@" + "a" * 151) == []


def test_usernames_pairs_many_code_spans_in_order():
    text = "`@a` @x ``@b`` " * 300 + "``` @y"  # the last run has no closer: literal backticks

    assert usernames(text) == ["x", "y"]
