"""The one neutralising function for spreadsheet cells, and control characters on screen."""

from __future__ import annotations

import pytest

from pgyscout.export.cells import csv_cell_text, printable, spreadsheet_text


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("  =1+1", "'  =1+1"),
        ("-12", "-12"),  # numbers stay numbers
        ("-0.31", "-0.31"),
        ("+86", "+86"),
        ("1e-3", "1e-3"),
        ("5d21ab6b000000001201567d", "5d21ab6b000000001201567d"),
        ("000123", "000123"),
        ("咖啡 = 生活", "咖啡 = 生活"),
        ("", ""),
        ("a\x1bb\x07", "a␛b␇"),
    ],
)
def test_csv_cells(raw: str, cell: str) -> None:
    assert csv_cell_text(raw) == cell


def test_non_text_is_untouched() -> None:
    assert csv_cell_text(-5) == -5
    assert csv_cell_text(-0.5) == -0.5
    assert csv_cell_text(None) is None


def test_spreadsheet_text_flags_formulas_without_changing_them() -> None:
    assert spreadsheet_text("=1+1") == ("=1+1", True)
    assert spreadsheet_text("名字\x1b[31m") == ("名字␛[31m", False)
    assert spreadsheet_text("a\nb") == ("a\nb", False)  # line breaks are fine in a cell


def test_printable() -> None:
    assert printable("\x1b]0;title\x07") == "␛]0;title␇"
    assert printable("a\nb") == "a␊b"
    assert printable("a\nb", keep="\n") == "a\nb"
    assert printable("\x7f\x9b\u202e") == "\u2421\ufffd\ufffd"
    assert printable("春季 ok") == "春季 ok"


def test_log_lines_carry_no_control_characters() -> None:
    import io
    import logging

    from pgyscout.cli._app import configure_logging

    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ("", "pgyscout", "httpx")}
    configure_logging(1, False, False, stream)
    try:
        logging.getLogger("pgyscout.client").info("upstream said %s", "\x1b]0;pwned\x07")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    assert "upstream said ␛]0;pwned␇" in stream.getvalue()
    assert "\x1b" not in stream.getvalue()
