"""Markdown to sanitized HTML (coe/markdown.py): pure, no database.

Every payload is checked structurally (the rendered HTML is parsed, and each tag, attribute and URL is
held against the allow-list), not only by looking for a substring, so a payload that survives in an
unexpected shape still fails.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from coe import markdown

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},  # rel="noopener noreferrer" is added by the sanitizer
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def unsafe_parts(html: str) -> list[str]:
    """Everything in the rendered HTML that a browser could run or load from a dangerous source."""
    found = []
    for tag, attrs in parse(html).tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"tag <{tag}>")
        for name, value in attrs.items():
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src"):
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    found.append(f"{scheme}: URL in {name} on <{tag}>")
    return found


XSS = [
    pytest.param("<script>alert(1)</script>", id="script-tag"),
    pytest.param("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", id="script-src-uppercase"),
    pytest.param("<<script>script>alert(1)<</script>/script>", id="script-nested"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<img src="https://ok.example/a.png" onload="alert(1)">', id="img-onload"),
    pytest.param("<p onmouseover=alert(1)>hover</p>", id="p-onmouseover"),
    pytest.param("<div onclick='alert(1)'>click</div>", id="div-onclick"),
    pytest.param('<a href="https://ok.example" onclick="alert(1)">ok</a>', id="a-onclick-on-safe-link"),
    pytest.param("<details open ontoggle=alert(1)>x</details>", id="details-ontoggle"),
    pytest.param("<a href='javascript:alert(1)'>x</a>", id="a-javascript"),
    pytest.param("<a href='JaVaScRiPt:alert(1)'>x</a>", id="a-javascript-mixed-case"),
    pytest.param('<a href="&#106;avascript:alert(1)">x</a>', id="a-javascript-entity"),
    pytest.param('<a href=" javascript:alert(1)">x</a>', id="a-javascript-leading-space"),
    pytest.param("<a href='vbscript:msgbox(1)'>x</a>", id="a-vbscript"),
    pytest.param("<a href='data:text/html,<script>alert(1)</script>'>x</a>", id="a-data-html"),
    pytest.param("<img src='javascript:alert(1)'>", id="img-javascript"),
    pytest.param('<IMG SRC="jav&#x0A;ascript:alert(1);">', id="img-javascript-newline-entity"),
    pytest.param("<img src='data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+'>", id="img-data-svg"),
    pytest.param("<iframe src='https://evil.example'></iframe>", id="iframe"),
    pytest.param("<iframe srcdoc='<script>alert(1)</script>'></iframe>", id="iframe-srcdoc"),
    pytest.param("<object data='x.swf'></object><embed src='x.swf'>", id="object-embed"),
    pytest.param("<style>body{display:none}</style>", id="style-tag"),
    pytest.param("<p style='background:url(javascript:alert(1))'>s</p>", id="style-attribute"),
    pytest.param("<link rel=stylesheet href='https://evil.example/x.css'>", id="link-stylesheet"),
    pytest.param("<svg onload=alert(1)><circle r=1 /></svg>", id="svg-onload"),
    pytest.param("<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>", id="svg-xlink"),
    pytest.param("<math><mi xlink:href='javascript:alert(1)'>x</mi></math>", id="mathml-xlink"),
    pytest.param("<form action='https://evil.example'><input name=a><button>go</button></form>", id="form"),
    pytest.param("<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>", id="meta-refresh"),
    pytest.param("<base href='javascript:alert(1)//'>", id="base-href"),
    pytest.param("</textarea><script>alert(1)</script>", id="textarea-breakout"),
    pytest.param("[click](javascript:alert(1))", id="md-link-javascript"),
    pytest.param("[click](JAVASCRIPT:alert(1))", id="md-link-javascript-uppercase"),
    pytest.param("[click](java&#x09;script:alert(1))", id="md-link-javascript-tab-entity"),
    pytest.param("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="md-link-data"),
    pytest.param("[click][evil]\n\n[evil]: javascript:alert(1)", id="md-reference-link-javascript"),
    pytest.param("<javascript:alert(1)>", id="md-autolink-javascript"),
    pytest.param("![x](javascript:alert(1))", id="md-image-javascript"),
    pytest.param("![x](data:image/svg+xml;base64,PHN2Zz4=)", id="md-image-data"),
    pytest.param('[x](https://ok.example "t" onclick="alert(1)")', id="md-link-title-injection"),
    pytest.param(
        "# Title <img src=x onerror=alert(1)>\n\n- item <script>alert(1)</script>", id="md-raw-html"
    ),
    pytest.param("| a |\n|---|\n| <img src=x onerror=alert(1)> |", id="md-table-raw-html"),
    pytest.param("> quote <iframe src=https://evil.example></iframe>", id="md-blockquote-iframe"),
]


@pytest.mark.parametrize("payload", XSS)
def test_render_xss_payload_leaves_nothing_executable(payload):
    html = markdown.render(payload)

    assert unsafe_parts(html) == [], html
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<svg", "<style", "javascript:", "vbscript:", "data:", "onerror"):
        assert marker not in lowered, html


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("```\n<script>alert(1)</script>\n```", id="fenced-code"),
        pytest.param("`<img src=x onerror=alert(1)>`", id="inline-code"),
        pytest.param("    <iframe src=x></iframe>", id="indented-code"),
    ],
)
def test_render_html_inside_code_is_shown_as_text_not_markup(payload):
    html = markdown.render(payload)

    assert unsafe_parts(html) == []
    assert "&lt;" in html
    tags = [tag for tag, _ in parse(html).tags]
    assert "code" in tags
    assert not {"script", "img", "iframe"} & set(tags)


def test_render_keeps_the_text_of_a_dropped_tag_but_not_the_content_of_script_or_style():
    html = markdown.render(
        "<div onclick='x()'>visible</div>\n\n<script>hidden()</script><style>hidden{}</style>"
    )

    text = "".join(parse(html).text)
    assert "visible" in text
    assert "hidden" not in text


def test_render_headings_lists_and_emphasis():
    html = markdown.render(
        "# Title\n\n## Sub\n\n- one\n- two\n\n1. first\n2. second\n\n**bold** *em* ~~gone~~"
    )

    assert "<h1>Title</h1>" in html
    assert "<h2>Sub</h2>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert "<strong>bold</strong> <em>em</em>" in html


def test_render_tables():
    html = markdown.render("| Phase | Took |\n|---|---|\n| Detect | 30 min |")

    tags = [tag for tag, _ in parse(html).tags]
    assert tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "<th>Phase</th>" in html
    assert "<td>30 min</td>" in html


def test_render_tables_keep_column_alignment():
    tags = parse(markdown.render("| Phase | Took |\n|:---|---:|\n| Detect | 30 min |")).tags

    assert ("td", {"align": "right"}) in tags


def test_render_fenced_and_inline_code():
    html = markdown.render("```\nkubectl rollout undo deploy/checkout\n```\n\nRun `make bench`.")

    assert "<pre><code>kubectl rollout undo deploy/checkout\n</code></pre>" in html
    assert "<code>make bench</code>" in html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[runbook](https://wiki.example/runbook)", "https://wiki.example/runbook"),
        ("[graph](http://grafana.example/d/1?from=now-1h)", "http://grafana.example/d/1?from=now-1h"),
        ("[mail](mailto:oncall@example.com)", "mailto:oncall@example.com"),
        ("[relative](/incidents/12/)", "/incidents/12/"),
    ],
)
def test_render_safe_links_keep_their_href_and_get_noopener(source, href):
    (link,) = [attrs for tag, attrs in parse(markdown.render(source)).tags if tag == "a"]

    assert link["href"] == href
    assert link["rel"] == "noopener noreferrer"


def test_render_http_images_keep_src_and_alt():
    html = markdown.render("![p99](https://grafana.example/p99.png)")

    (image,) = [attrs for tag, attrs in parse(html).tags if tag == "img"]

    assert image == {"alt": "p99", "src": "https://grafana.example/p99.png"}


def test_render_blockquote_and_rule():
    html = markdown.render("> customers saw errors\n\n---")

    assert "<blockquote>\n<p>customers saw errors</p>\n</blockquote>" in html
    assert "<hr>" in html


@pytest.mark.parametrize("empty", ["", None])
def test_render_empty_or_none_is_empty(empty):
    assert markdown.render(empty) == ""
