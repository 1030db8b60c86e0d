"""The phone line's spoken form of an answer, and the headings taken off quoted sentences."""

from services.passage_sentences import split_sentences, strip_headings
from services.spoken_answer import spoken_answer

CHAT_REPLY = (
    "Here is what Birchwood Medical Centre's documents say "
    "(quoted automatically, not written by an AI model):\n"
    '- "On Saturdays the centre is open from 9:00 to 13:00 for booked appointments only." '
    "(patient-guide.pdf, page 1) [1]\n"
    '- "Missed appointments are charged a fee of $40." (patient-guide.pdf, page 2) [2]\n'
    "This is not medical advice. In an emergency, call the emergency services."
)


def test_a_quoted_chat_reply_is_spoken_without_file_names_pages_citations_or_boilerplate() -> None:
    spoken = spoken_answer(CHAT_REPLY, 600)

    assert spoken == (
        "On Saturdays the centre is open from 9 am to 1 pm for booked appointments only. "
        "Missed appointments are charged a fee of 40 dollars."
    )


def test_times_prices_and_abbreviations_are_said_as_a_voice_reads_them() -> None:
    spoken = spoken_answer("Dr. Osei sees children from 14:00 to 17:30; a visit costs €25 or 30 EUR.", 600)

    assert spoken == "Doctor Osei sees children from 2 pm to 5:30 pm; a visit costs 25 euros or 30 euros."
    assert spoken_answer("Open 12:00 to 18:00 and 7:30 to 8:15 am.", 600) == (
        "Open 12 noon to 6 pm and 7:30 am to 8:15 am."
    )


def test_a_range_of_times_written_with_a_dash_is_read_with_to() -> None:
    # A table row of opening hours, as a leaflet's quote gives it.
    assert spoken_answer("Friday 8:00 - 16:00. Saturday 9:00–12:00.", 600) == (
        "Friday 8 am to 4 pm. Saturday 9 am to 12 noon."
    )
    assert spoken_answer("Open 9am-1pm. Call 0300-555-0100. Children aged 2-5.", 600) == (
        "Open 9am to 1pm. Call 0300-555-0100. Children aged 2-5."
    )


def test_a_heading_glued_to_the_answer_is_not_spoken() -> None:
    spoken = spoken_answer(
        "SilverStar Family Clinic - Patient Handbook Welcome to the clinic, we are glad you are here.", 600
    )

    assert spoken == "Welcome to the clinic, we are glad you are here."


def test_a_long_sentence_becomes_short_ones_and_the_answer_ends_at_a_sentence_within_the_limit() -> None:
    text = (
        "Free parking for patients is available in the car park behind the building for up to two hours; "
        "enter from Mill Lane, next to the bakery and the post office on the corner. "
        "Two disabled parking bays are next to the main entrance. Bicycle racks are at the front."
    )

    spoken = spoken_answer(text, 200)

    assert spoken.startswith(
        "Free parking for patients is available in the car park behind the building for up to two hours. "
        "Enter from Mill Lane"
    )
    assert len(spoken) <= 200 and spoken.endswith(".")
    assert "Bicycle" not in spoken


def test_sentences_are_split_at_their_ends_but_not_after_abbreviations() -> None:
    assert split_sentences("Dr. Raman operates on Mondays. Stitches come out after 7 days!  Ask  us.") == [
        "Dr. Raman operates on Mondays.",
        "Stitches come out after 7 days!",
        "Ask us.",
    ]


def test_headings_are_stripped_only_where_the_shape_is_clear() -> None:
    assert strip_headings("Clinic - Opening hours Monday to Friday we are open from 8 to 18.") == (
        "Monday to Friday we are open from 8 to 18."
    )
    assert strip_headings("Cancellations Please tell us one day ahead.") == "Please tell us one day ahead."
    assert strip_headings("Welcome and opening hours Welcome to the centre in Eastbrook.") == (
        "Welcome to the centre in Eastbrook."
    )
    for sentence in (
        "Dr. Anna Meyer works on Mondays and Fridays.",
        "SilverStar Family Clinic opens at 8 every day.",
        "The Family Clinic opens at 8 every day.",
        "Please call Reception before 10 in the morning.",
        "Opening hours: the clinic opens at 8 am on weekdays.",
    ):
        assert strip_headings(sentence) == sentence


def test_an_answer_to_several_questions_keeps_a_share_of_the_limit_for_each() -> None:
    parking = (
        "Free parking for patients is available in the car park behind the building for up to two hours. "
        "Two disabled parking bays are next to the main entrance. Bicycle racks are at the front. "
        "The car park is locked at night."
    )
    hours = (
        "On Saturdays the centre is open from 9:00 to 13:00 for booked appointments only. "
        "The centre is closed on Sundays and on public holidays. Outside opening hours, call 111."
    )
    not_found = "I could not find an answer to your third question in Birchwood's documents."

    spoken = spoken_answer(f"{parking}\n\n{hours}\n\n{not_found}", 300)

    assert len(spoken) <= 300
    assert spoken.startswith("Free parking for patients is available")
    assert "On Saturdays the centre is open from 9 am to 1 pm" in spoken
    assert spoken.endswith(not_found)
    assert "locked at night" not in spoken
    # Within the limit, nothing is cut.
    whole = spoken_answer(f"{parking}\n\n{hours}", 600)
    assert whole == f"{parking} {hours.replace('9:00 to 13:00', '9 am to 1 pm')}"
