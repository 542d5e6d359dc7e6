"""Tests of output line assembly."""

from __future__ import annotations

from ml_platform_server._lines import MAX_LINE_CHARS, LineAssembler


def test_lines_split_across_chunks() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"hello\nwor", 0) == ["hello"]
    assert assembler.feed(b"ld\r\n", 0) == ["world"]
    assert assembler.finish() == []


def test_invalid_utf8_is_replaced() -> None:
    assembler = LineAssembler()

    lines = assembler.feed(b"caf\xc3\xa9 \xff\n", 0)

    assert lines == ["caf\u00e9 \ufffd"]


def test_utf8_sequence_split_between_chunks() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"caf\xc3", 0) == []
    assert assembler.feed(b"\xa9\n", 0) == ["caf\u00e9"]


def test_long_line_is_split() -> None:
    assembler = LineAssembler()

    lines = assembler.feed(b"x" * (MAX_LINE_CHARS * 2 + 5) + b"\n", 0)

    assert [len(line) for line in lines] == [MAX_LINE_CHARS, MAX_LINE_CHARS, 5]


def test_progress_keeps_latest_segment_on_newline() -> None:
    assembler = LineAssembler()

    first = assembler.feed(b"\r 10%\r 20%\r 30%", 0.0)
    final = assembler.feed(b"\r100%\n", 0.5)

    assert first == [" 10%"], "the first update is shown at once"
    assert final == ["100%"]


def test_progress_is_emitted_at_most_once_per_interval() -> None:
    assembler = LineAssembler()
    emitted = assembler.feed(b"\r 10%", 0.0) + assembler.feed(b"\r 20%", 0.1)

    emitted += assembler.tick(0.5)
    emitted += assembler.tick(1.5)

    assert emitted == [" 10%", " 20%"]


def test_progress_without_newline_is_emitted_at_finish() -> None:
    assembler = LineAssembler()
    assembler.feed(b"\r 50%", 0.0)

    assert assembler.finish() == [" 50%"]


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"abc\r", 0) == []
    assert assembler.feed(b"\ndef\n", 0) == ["abc", "def"]


def test_partial_line_is_emitted_at_finish() -> None:
    assembler = LineAssembler()
    assembler.feed(b"no newline", 0)

    assert assembler.finish() == ["no newline"]


def test_empty_lines_are_kept() -> None:
    assembler = LineAssembler()

    assert assembler.feed(b"a\n\nb\n", 0) == ["a", "", "b"]
