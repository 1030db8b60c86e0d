from kernel.typography import plain


def test_ligatures_and_compatibility_characters_become_plain_letters() -> None:
    assert plain("a white \ufb01lling at the o\ufb03ce, 10\u00a0minutes, \uff21\uff22") == (
        "a white filling at the office, 10 minutes, AB"
    )


def test_typographic_quotes_and_hyphens_become_the_keyboards() -> None:
    assert plain("your child\u2019s \u201cfirst\u201d check\u2011up, \u2018a\u2019, 9\u201012") == (
        "your child's \"first\" check-up, 'a', 9-12"
    )


def test_a_soft_hyphen_joins_a_word_broken_across_lines_and_is_dropped_elsewhere() -> None:
    assert plain("takes ten min\u00ad\nutes, an appoint\u00adment") == "takes ten minutes, an appointment"


def test_control_characters_are_dropped_but_line_breaks_and_tabs_kept() -> None:
    assert plain("check\x00up\x07\nnext\tline\r\n") == "checkup\nnext\tline\r\n"


def test_dashes_between_times_are_kept() -> None:
    assert plain("8:00\u201318:00 \u2014 closed") == "8:00\u201318:00 \u2014 closed"
