"""The fast path for MyST option blocks gives exactly what MyST's own scanner gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from myst_parser.parsers import directives
from myst_parser.parsers.options import TokenizeError, options_to_tokens

from specheft.sphinxext.directives import option_block
from specheft.sphinxext.directives.option_block import simple_tokens


def _myst(text: str) -> object:
    try:
        tokens, state = options_to_tokens(text)
    except TokenizeError as exc:
        return ("error", exc.problem, exc.problem_mark)
    return tokens, state.has_comments, state.comment_lines


PLAIN = [
    "id: LH-KON-001",
    "id: LH-KON-001\npriority: must\narea: KON",
    "title: Firmen  anlegen   und pflegen   ",
    "acceptance: Ein Key-User legt eine Firma an: Name, Anschrift (z. B. Köln).",
    "status:\nid: X-1",  # an empty value before another key
    "status:   \nid: X-1\ntags:",  # spaces only, and an empty value on the last line
    "tags:   ",
    "url: https://example.com/a?b=c&d=[1]",
    "id: A\nid: B",  # a repeated key: MyST keeps both tokens
    "größe: 3",
    "x: -1\ny: [a, b]\nz: {k: v}\nw: *ref\nv: !tag\nu: @at\nt: `c`",
    "text: \\n is not a break",
]

SPECIAL = [
    "",
    "id: 'quoted'",
    'id: "quoted"',
    "text: |\n  block",
    "text: > folded",
    "id: X # comment",
    "# only a comment",
    "id:\tX",
    "id:X",
    " id: X",
    "id: X\n  continued",
    "a:b: c",
    "'key': v",
    "id: X\n\nnext: Y",
    "id: X\rnext: Y",
    "id: X\u2028",
    "\ufeffid: X",
    "id: a\0b",
    "1st: x",
    "key with space: x",
    "lang: C#",  # any comment sign: left to MyST
]


def test_plain_blocks_match_myst() -> None:
    for text in PLAIN:
        ours = simple_tokens(text)
        assert ours is not None, text
        assert (ours, False, []) == _myst(text), text


def test_special_blocks_go_to_myst() -> None:
    for text in SPECIAL:
        assert simple_tokens(text) is None, repr(text)


_LINE = st.tuples(
    st.sampled_from(["id", "title", "a-b", "x_y", "größe", "#c", "'q'", " id", "1", "k k"]),
    st.sampled_from([":", ": ", ":  ", ":\t", "", " :"]),
    st.text(alphabet="ab :#'\"|>-\t\\[]{}*!`,.ü", max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=5))
def test_any_block_matches_myst(lines: list[tuple[str, str, str]]) -> None:
    """Wherever the fast path answers, it answers what MyST's scanner does."""
    text = "\n".join(key + colon + value for key, colon, value in lines)
    ours = simple_tokens(text)
    if ours is not None:
        assert (ours, False, []) == _myst(text), repr(text)


def test_installed_where_myst_reads_directives() -> None:
    option_block.install()
    read = getattr(directives, "options_to_tokens")  # noqa: B009 (not re-exported)
    assert read is not options_to_tokens
    # what the directive parser gets: the same options and lines as before
    tokens, state = read("id: X\nstatus:")
    assert [(k.value, v.value if v else None) for k, v in tokens] == [
        ("id", "X"),
        ("status", ""),
    ]
    assert not state.has_comments
    # a block the fast path leaves alone still reaches MyST's scanner (its comment noted)
    _tokens, state = read("id: X # note")
    assert state.has_comments
