"""Page text read as a layout: running headers and footers, headings, list items, table rows."""

from adapters.pdf_layout import Block, Kind, blocks, longest_line, without_contents, without_furniture
from adapters.pdf_text import chunk_pages, extract_pages
from services.passage_sentences import join_sentences, split_sentences
from tests.pdfs import leaflet_pdf

PROSE = "We have looked after the teeth of local families since 1998, and we welcome new patients."
TOPICS = {
    "Welcome": "Oakridge Dental Care is a family practice in the centre of Millbrook.",
    "Booking": "Call reception or book in the app; new patients fill in a form first.",
    "Our team": "Dr. Anna Kowalski and Dr. James Reid are our dentists.",
}


def _blocks(page: str) -> list[Block]:
    return blocks(page, longest_line([page]))


def test_a_running_header_is_kept_once_and_page_numbers_are_dropped() -> None:
    pages = [
        f"Oakridge Dental | Practice guide\n{topic}\n{text}\nPage {n} of 3"
        for n, (topic, text) in enumerate(TOPICS.items(), start=1)
    ]

    cleaned = without_furniture(pages)

    assert [page.splitlines()[-1] for page in cleaned] == list(TOPICS.values())
    assert cleaned[0].splitlines()[0].endswith("Oakridge Dental | Practice guide")
    assert [page.splitlines()[0] for page in cleaned[1:]] == ["Booking", "Our team"]
    assert _blocks(cleaned[0])[0] == Block(Kind.HEADING, ("Oakridge Dental | Practice guide",))


def test_lines_that_do_not_recur_are_not_furniture() -> None:
    pages = [f"{topic}\n{text}\nCall 0300 555 0100 to book." for topic, text in list(TOPICS.items())[:2]]
    single = ["Opening hours\nWe open at 8:00 on weekdays.\n1"]

    cleaned = without_furniture(pages)

    assert [page.splitlines()[:2] for page in cleaned] == [list(pair) for pair in list(TOPICS.items())[:2]]
    assert "Call 0300 555 0100 to book." not in cleaned[1]
    assert _blocks(cleaned[0])[-1] == Block(Kind.ITEM, ("Call 0300 555 0100 to book.",))  # quotable, once
    assert without_furniture(single) == ["Opening hours\nWe open at 8:00 on weekdays."]


def test_list_items_are_blocks_of_their_own_whatever_their_bullet() -> None:
    page = (
        f"How to find us\n{PROSE}\n"
        "(cid:127) Address: 7 Elm Street, Millbrook\n"
        "• Bus: lines 3 and 11 stop at Elm Street\n"
        "- Parking: the town car park\n"
        "Dental emergencies\n"
        "If you have severe toothache, call us early in the morning."
    )

    assert _blocks(page) == [
        Block(Kind.HEADING, ("How to find us",)),
        Block(Kind.PROSE, (PROSE,)),
        Block(Kind.ITEM, ("Address: 7 Elm Street, Millbrook",)),
        Block(Kind.ITEM, ("Bus: lines 3 and 11 stop at Elm Street",)),
        Block(Kind.ITEM, ("Parking: the town car park",)),
        Block(Kind.HEADING, ("Dental emergencies",)),
        Block(Kind.PROSE, ("If you have severe toothache, call us early in the morning.",)),
    ]


def test_a_wrapped_list_item_keeps_its_next_line() -> None:
    page = (
        f"{PROSE}\n• For pain, take paracetamol or ibuprofen as directed on the\npacket\n"
        "• Do not rinse for a day"
    )

    assert [b.text for b in _blocks(page)[1:]] == [
        "For pain, take paracetamol or ibuprofen as directed on the packet",
        "Do not rinse for a day",
    ]


def test_table_rows_are_items_under_their_heading() -> None:
    page = (
        f"{PROSE}\nOpening hours\nDay Hours\nMonday to Friday 8:00 - 18:00\nSaturday 9:00 - 12:00\n"
        "Sunday Closed\nOn public holidays the practice is closed."
    )

    assert _blocks(page)[1:] == [
        Block(Kind.HEADING, ("Opening hours",)),
        Block(Kind.ITEM, ("Day Hours",)),
        Block(Kind.ITEM, ("Monday to Friday 8:00 - 18:00",)),
        Block(Kind.ITEM, ("Saturday 9:00 - 12:00",)),
        Block(Kind.ITEM, ("Sunday Closed",)),
        Block(Kind.PROSE, ("On public holidays the practice is closed.",)),
    ]


def test_short_lines_without_figures_stay_headings() -> None:
    page = f"Kestrel Eye Clinic - Visiting the Clinic\nBooking an appointment\n{PROSE}"

    assert [b.kind for b in _blocks(page)] == [Kind.HEADING, Kind.HEADING, Kind.PROSE]


def test_a_laid_out_leaflet_is_chunked_without_furniture_and_quoted_item_by_item() -> None:
    markup = (
        "# Opening hours\n| Day | Hours |\n| Monday | 8:00 - 18:00 |\n| Sunday | Closed |\n"
        f"{PROSE}\n---\n# Paying\n- We accept cash and cards\n- We do not accept cheques\n{TOPICS['Booking']}"
    )
    pages = extract_pages(leaflet_pdf(markup, running_header="Oakridge | Fees"), max_pages=5)
    assert "(cid:" in pages[1] and "Page 2 of 2" in pages[1]  # what pdfminer reads

    chunks = chunk_pages(pages)

    assert [c.text for c in chunks] == [
        f"Oakridge | Fees\nOpening hours\n• Day Hours\n• Monday 8:00 - 18:00\n• Sunday Closed\n{PROSE}",
        f"Paying\n• We accept cash and cards\n• We do not accept cheques\n{TOPICS['Booking']}",
    ]
    assert split_sentences(chunks[1].text) == [
        "We accept cash and cards",
        "We do not accept cheques",
        TOPICS["Booking"],
    ]
    assert join_sentences(split_sentences(chunks[1].text)[:2]) == (
        "We accept cash and cards. We do not accept cheques."
    )


def test_a_heading_after_a_list_item_that_filled_its_line_is_still_a_heading() -> None:
    item = "• is floppy, very pale, hard to wake or does not respond to you when you call"
    page = f"{PROSE} Dial 999 if your child\n{item}\nCoughs and colds\nChildren catch eight colds a year."

    assert [(b.kind, b.text) for b in blocks(page, len(item))][1:] == [
        (Kind.ITEM, item.removeprefix("• ")),
        (Kind.HEADING, "Coughs and colds"),
        (Kind.PROSE, "Children catch eight colds a year."),
    ]


def test_a_paragraph_ending_in_a_lists_lead_in_is_quoted() -> None:
    [chunk] = chunk_pages([f"{PROSE} Dial 999 if your child\n• has a fit for the first time\n• is floppy"])

    assert split_sentences(chunk.text) == [
        PROSE,
        "Dial 999 if your child",
        "has a fit for the first time",
        "is floppy",
    ]


def test_a_heading_wrapped_onto_a_second_line_is_one_heading() -> None:
    page = f"{PROSE}\nGrowth and development\nchecks\nA health visitor checks every child at one year."

    assert _blocks(page)[1:] == [
        Block(Kind.HEADING, ("Growth and development", "checks")),
        Block(Kind.PROSE, ("A health visitor checks every child at one year.",)),
    ]


CONTENTS = ["Welcome and opening hours", "Booking, cancelling and missed appointments", "Our team"]


def _handbook(contents: str) -> list[str]:
    sections = [f"{title}\n{text}" for title, text in TOPICS.items()]
    return [f"Oakridge Dental handbook\nContents\n{contents}", *sections]


def test_a_contents_page_with_dot_leaders_is_left_out_with_its_heading() -> None:
    dotted = "\n".join(f"{title} {'.' * 20} {n}" for n, title in enumerate(CONTENTS, start=2))
    leaders = "\n".join(f"{title}\u2026{n}" for n, title in enumerate(CONTENTS, start=2))

    for contents in (dotted, leaders):
        assert without_contents(_handbook(contents)) == ["Oakridge Dental handbook", *_handbook("")[1:]]


def test_contents_entries_without_leaders_are_left_out_when_three_run_in_page_order() -> None:
    spaced = "\n".join(f"{title}    {n}" for n, title in enumerate(CONTENTS, start=2))

    assert without_contents(_handbook(spaced))[0] == "Oakridge Dental handbook"


def test_lines_ending_in_numbers_that_are_no_contents_are_kept() -> None:
    prices = "Prices\nCheck-up 45\nX-ray 15\nWhite filling 95"  # past the last page
    out_of_order = "Rooms\nReception 1\nConsulting room 4\nTreatment room 2"
    two = "Buses\nLine 3\nLine 4\nThe stop is outside."
    pages = [prices, out_of_order, two, "Opening hours\nWe open at 8:00.", "Fees\nA check-up is 45 euros."]

    assert without_contents(pages) == pages


def test_a_handbooks_contents_page_is_not_chunked() -> None:
    spaced = "\n".join(f"{title}    {n}" for n, title in enumerate(CONTENTS, start=2))

    chunks = chunk_pages(_handbook(spaced))

    assert [chunk.page for chunk in chunks] == [1, 2, 3, 4]
    assert chunks[0].text == "Oakridge Dental handbook"
