"""Pages set in two columns are read one column after the other; tables and single columns as before."""

import io

import pdfplumber

from adapters.pdf_text import extract_pages
from tests.pdfs import leaflet_pdf

LEFT = [
    "Our four paediatricians and two children's nurses work from the ground floor of the Riverside "
    "Health Centre at 3 Quay Street, next to the library.",
    "The clinic is open Monday to Friday from 8:00 to 18:30, and on Saturday mornings a doctor sees "
    "children with urgent problems.",
]
RIGHT = [
    "We give all the vaccinations of the national childhood schedule free of charge, and our nurse "
    "sends you a reminder before each one is due.",
    "After a vaccination your child may have a slight temperature for a day or two; do not give "
    "aspirin to children under sixteen.",
]
TWO_COLUMNS = "# About the clinic\n" + "\n".join(LEFT * 3) + "\n--\n# Vaccinations\n" + "\n".join(RIGHT * 3)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_two_columns_are_read_one_after_the_other() -> None:
    data = leaflet_pdf(TWO_COLUMNS, running_header="Riverside Children's Clinic | Guide", columns=2)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        interleaved = _flat(pdf.pages[0].extract_text())
    assert LEFT[0] not in interleaved  # what reading across the page gives

    [page] = extract_pages(data, max_pages=5)

    text = _flat(page)
    assert all(sentence in text for sentence in LEFT + RIGHT)
    assert text.index(LEFT[1]) < text.index("Vaccinations") < text.index(RIGHT[0])
    assert text.startswith("Riverside Children's Clinic | Guide About the clinic")
    assert text.endswith("Page 1 of 1")


def test_a_table_and_a_single_column_are_read_across_the_page() -> None:
    markup = (
        "# Opening hours\n"
        + "\n".join(f"| {day} | 8:00 - 18:00 |" for day in ["Monday", "Tuesday", "Wednesday", "Thursday"])
        + "\n| Friday to Sunday | Closed |\n"
        + "\n".join(LEFT * 2)
    )
    data = leaflet_pdf(markup, running_header="Riverside | Hours")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        across = pdf.pages[0].extract_text()

    [page] = extract_pages(data, max_pages=5)

    assert page == across
    assert "Tuesday 8:00 - 18:00" in page.splitlines()


def test_three_columns_are_read_one_after_the_other() -> None:
    third = [
        "Free parking for patients is behind the building; ask reception for a permit for your "
        "windscreen, and bicycle racks are by the door.",
        "Outside opening hours call the out-of-hours line, where a nurse answers and can arrange for "
        "a doctor to call you back.",
    ]
    markup = (
        "# About the clinic\n"
        + "\n".join(LEFT * 2)
        + "\n--\n# Vaccinations\n"
        + "\n".join(RIGHT * 2)
        + "\n--\n# Getting here\n"
        + "\n".join(third * 2)
    )

    [page] = extract_pages(leaflet_pdf(markup, running_header="Riverside | Tri-fold", columns=3), max_pages=5)

    text = _flat(page)
    assert all(sentence in text for sentence in LEFT + RIGHT + third)
    assert (
        text.index(LEFT[1]) < text.index("Vaccinations") < text.index(RIGHT[1]) < text.index("Getting here")
    )
