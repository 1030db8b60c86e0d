"""Answer-quality benchmark: does the assistant's reply hold the answer, or honestly refuse?

Six fictional clinics wrote their documents: Birchwood Medical Centre three
(`bench/answers_data/documents/*.txt`, pages separated by a line `---`), Fernhill
Physiotherapy two (`bench/answers_data/physio/`), Kestrel Eye Clinic three
(`bench/answers_data/eye/`), Oakridge Dental Care three (`bench/answers_data/dental/`, laid
out as leaflets: running header and footer, headings, bullet lists, borderless tables),
Riverside Children's Clinic two one-page leaflets in two columns (`bench/answers_data/columns/`)
and Willowbank Health Centre two FAQs, each answer after its question
(`bench/answers_data/faq/`). Each
set's are made into PDFs here with reportlab, uploaded through `POST /documents` by an admin
into a fresh database of its own (`silverstar_bench_answers`, `silverstar_bench_answers_1`, ...),
and ingested by the real Dramatiq worker. Then every
question of each set's `questions.json` is asked through `POST /ai/chat`:
- answerable questions (half of them worded unlike the text): hit@1, hit@3 and MRR of the
  expected page among the passages retrieved for it (read back from `GET /ai/logs`: a reply
  that cites no passage, a refusal, shows no sources); the share of replies containing every answer
  word; the share wrongly refused;
- unanswerable questions: the share refused (abstention recall) and, over all refusals, the
  share that were right to refuse (abstention precision);
- follow-ups, asked in the conversation of the question before them: the share answered;
- latency of `POST /ai/chat` as the client sees it.

Each set is split: Birchwood's `dev` items were used to develop and calibrate the offline
answerer, its `heldout` items never were; Fernhill's (`physio`) was written afterwards to check
the design on other documents, and takes part in calibrating the refusal thresholds; the
other clinics' items are `eye` / `eye-heldout`, `dental` / `dental-heldout`, `columns` /
`columns-heldout` and `faq` / `faq-heldout` (every third item, assigned before anything was
measured), reported and not tuned on. `--sets` asks only some of the sets. Each
split is printed as its own column. No GOOGLE_API_KEY: the offline
answerer serves (the default of `make run`). Figures are printed, never asserted.

With `--contents-page dotted|spaced`, each plain set's documents open with a contents page, as
handbooks do (the leaflet sets are left as they are). With `--typeset libreoffice`, LibreOffice
Writer typesets every set's documents instead of reportlab (`bench/writer_pdf.py`: justified,
hyphenated, curly quotes, running header and footer; the two-column set in one column). With
`--typos`, every question is asked with one typo in its longest word (`with_typo`). With
`--courtesies`, every question is asked as patients write to a person: a greeting or a
preamble before it, often thanks after it (`with_courtesies`; the held-out splits get
framings of their own, never looked at while the assistant learnt to set them aside). With
`--compound`, two questions are asked in one message instead (`compound_questions`): each
answerable question with another of its split (are both answers in the reply?), and each
unanswerable one beside an answerable one (is the one answered and the other said not found?).

    .venv/bin/python bench/answers.py [--json results.json] [--misses] [--limit N] [--redis-db N]
        [--contents-page dotted|spaced | --typeset libreoffice] [--typos] [--courtesies] [--compound]
        [--sets birchwood,faq,...]
"""

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.embedded_servers import resolve_redis_url  # noqa: E402
from bench.common import load_contract_runner  # noqa: E402
from bench.writer_pdf import available as writer_available  # noqa: E402
from bench.writer_pdf import plain_markup, writer_pdf  # noqa: E402
from kernel.settings import get_settings  # noqa: E402
from tests.pdfs import leaflet_pdf, text_pdf  # noqa: E402

DATABASE = "silverstar_bench_answers"
DATA = ROOT / "bench" / "answers_data"
# Each set: a directory with documents/*.txt and questions.json, asked in its own fresh database.
# Birchwood (splits dev and heldout) and Fernhill Physiotherapy (split physio: written after the
# answerer was designed on Birchwood's dev split, to check it on documents it was not designed on).
SETS = (DATA, DATA / "physio", DATA / "eye", DATA / "dental", DATA / "columns", DATA / "faq")
ADMIN_EMAIL = "admin@birchwood.test"


def set_name(data_set: Path) -> str:
    return "birchwood" if data_set == DATA else data_set.name


ADMIN_PASSWORD = "bench-answers-admin"
PAGE_BREAK = "\n---\n"
LINE_WIDTH = 85
# A reply is a refusal when it says it could not find the answer (either answerer's wording).
REFUSAL = re.compile(r"could not find|couldn't find|do not know|don't know|no information", re.IGNORECASE)
SPLITS = (
    "dev",
    "heldout",
    "physio",
    "eye",
    "eye-heldout",
    "dental",
    "dental-heldout",
    "columns",
    "columns-heldout",
    "faq",
    "faq-heldout",
)


@dataclass(frozen=True)
class Rendering:
    """How the sets' documents are made into PDFs (`set_document_pdf`)."""

    contents: str | None = None
    typeset: str = "reportlab"


def set_document_pdf(data_set: Path, source: Path, rendering: Rendering = Rendering()) -> bytes:
    """A set's document as a PDF, in the layout its questions.json names: plain pages (the default)
    or leaflets (`tests.pdfs.leaflet_pdf`: running header and footer, headings, lists, tables, in
    `columns` columns). With `rendering.contents` (one of CONTENTS_STYLES), plain pages follow a
    contents page; with `rendering.typeset == "libreoffice"`, LibreOffice Writer typesets either
    (`bench/writer_pdf.py`)."""
    questions = json.loads((data_set / "questions.json").read_text())
    text = source.read_text()
    if questions.get("layout") == "leaflet":
        header = f"{questions['clinic']} | {source.stem.replace('-', ' ').capitalize()}"
        if rendering.typeset == "libreoffice":
            return writer_pdf(text, header)
        return leaflet_pdf(text, running_header=header, columns=questions.get("columns", 1))
    if rendering.typeset == "libreoffice":
        return writer_pdf(plain_markup(text), text.strip().splitlines()[0])
    return document_pdf(text, rendering.contents)


def shifts_pages(data_set: Path, contents: str | None) -> bool:
    """Whether the set's documents get a contents page in front, which moves every page on by one."""
    layout = json.loads((data_set / "questions.json").read_text()).get("layout")
    return contents is not None and layout is None


# A handbook's contents page, as word processors set it: each page's section, then its page
# number after a dot leader ("dotted") or after a tab stop, which reads as a space ("spaced").
CONTENTS_STYLES = ("dotted", "spaced")


def contents_page(parts: list[str], style: str) -> str:
    entries = []
    for n, part in enumerate(parts):
        lines = [line for line in part.strip().splitlines() if line.strip()]
        section = lines[1] if n == 0 else lines[0]  # the first page opens with the document's title
        leader = " " + "." * (LINE_WIDTH - 10 - len(section)) + " " if style == "dotted" else "    "
        entries.append(f"{section}{leader}{n + 2}")
    return "Contents\n\n" + "\n".join(entries)


def document_pdf(text: str, contents: str | None = None) -> bytes:
    """One PDF page per `---`-separated part, paragraphs wrapped to fit an A4 line; with
    `contents`, a contents page in that style first."""
    parts = text.strip().split(PAGE_BREAK)
    pages = [contents_page(parts, contents)] if contents else []
    for page in parts:
        lines: list[str] = []
        for paragraph in page.strip().split("\n\n"):
            for line in paragraph.splitlines():
                lines += textwrap.wrap(line, LINE_WIDTH) or [""]
            lines.append("")
        pages.append("\n".join(lines))
    return text_pdf(pages)


@contextmanager
def worker(database_url: str, redis_db: int) -> Iterator[None]:
    """The Dramatiq worker as `silverstar run` starts it, on the served API's database and Redis."""
    redis_url = resolve_redis_url(get_settings())
    redis_url = redis_url.replace("/0", f"/{redis_db}") if redis_url.endswith("/0") else redis_url
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "ENVIRONMENT": "test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=env,
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def upload_all(
    client: httpx.Client, headers: dict[str, str], data_set: Path, rendering: Rendering, timeout: float = 600
) -> None:
    ids = []
    for source in sorted((data_set / "documents").glob("*.txt")):
        pdf = set_document_pdf(data_set, source, rendering)
        response = client.post(
            "/documents", headers=headers, files={"file": (f"{source.stem}.pdf", pdf, "application/pdf")}
        )
        response.raise_for_status()
        ids.append(response.json()["id"])
    deadline = time.monotonic() + timeout
    while ids:
        if time.monotonic() > deadline:
            raise RuntimeError(f"documents not ingested in {timeout:.0f} s: {ids}")
        document = client.get(f"/documents/{ids[0]}", headers=headers).json()
        if document["status"] == "failed":
            raise RuntimeError(f"ingestion failed: {document['error']}")
        if document["status"] == "ready":
            print(
                f"ingested {document['filename']}: "
                f"{document['pageCount']} pages, {document['chunkCount']} chunks"
            )
            ids.pop(0)
        else:
            time.sleep(0.5)


@dataclass
class Asked:
    item: dict[str, Any]
    kind: str  # answerable, unanswerable, followup
    reply: str
    log_id: str
    seconds: float
    sources: list[tuple[str, int]] = field(default_factory=list)  # retrieved, from the AI log

    @property
    def refused(self) -> bool:
        return bool(REFUSAL.search(self.reply))

    @property
    def rank(self) -> int | None:
        """1-based rank of the first source on an expected page; None: not among the sources."""
        expected = {(p["document"], p["page"]) for p in self.item.get("pages", [])}
        return next((n for n, source in enumerate(self.sources, start=1) if source in expected), None)

    @property
    def contains_answer(self) -> bool:
        return not self.refused and self.holds_answer_words

    @property
    def holds_answer_words(self) -> bool:
        flat = " ".join(self.reply.split()).lower()
        return all(word.lower() in flat for word in self.item["answer"])

    @property
    def refused_whole(self) -> bool:
        """Refused without quoting anything (a message of two questions may have one refused)."""
        return self.refused and "documents say" not in self.reply

    @property
    def right(self) -> bool:
        if self.kind == "unanswerable":
            return self.refused
        if self.kind == "pair":
            return self.holds_answer_words
        if self.kind == "mixed":
            return self.holds_answer_words and self.refused and not self.refused_whole
        return self.contains_answer


def ask(
    client: httpx.Client, headers: dict[str, str], message: str, conversation: str | None = None
) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = client.post(
        "/ai/chat", headers=headers, json={"message": message, "conversationId": conversation}
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"chat answered {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body, elapsed


def with_typo(question: str) -> str:
    """The question with one typo in its longest word (five letters or more; usually its topic),
    as a thumb on a phone makes them: two letters swapped, one dropped or one doubled, chosen
    and placed by a generator seeded with the question, so every run asks the same."""
    words = re.findall(r"[A-Za-z]{5,}", question)
    if not words:
        return question
    word = max(words, key=len)
    chance = random.Random(question)
    at = chance.randrange(1, len(word) - 2)
    typo = chance.choice(("swap", "drop", "double"))
    if typo == "swap":
        typed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif typo == "drop":
        typed = word[:at] + word[at + 1 :]
    else:
        typed = word[:at] + word[at] + word[at:]
    return question.replace(word, typed, 1)


# How patients open and close a message to the clinic. The held-out splits' framings were
# written with the development ones, before anything was measured, and are only reported.
OPENINGS = {
    "dev": (
        "Hi! ",
        "Hello, ",
        "Good morning. I have a question: ",
        "Sorry to bother you, but ",
        "Hi there, could you tell me ",
        "Quick question: ",
        "Hello again. ",
    ),
    "heldout": (
        "Hey, ",
        "Good afternoon! ",
        "Hello there. I was wondering, ",
        "Excuse me, ",
        "Hi, I hope you can help. ",
        "Dear clinic, ",
        "Hi again! One more thing: ",
    ),
}
CLOSINGS = {
    "dev": ("", " Thanks.", " Thank you very much!", " Thanks in advance :)", " Cheers"),
    "heldout": ("", " Many thanks.", " Thank you!", " Thanks a lot.", " Kind regards", " Much appreciated."),
}


def with_courtesies(question: str, split: str) -> str:
    """The question framed as written to a person: an opening before it, often a closing after it,
    chosen by a generator seeded with the question (the held-out splits from framings of their own)."""
    framings = "heldout" if split.endswith("heldout") else "dev"
    chance = random.Random(question)
    opening = chance.choice(OPENINGS[framings])
    closing = chance.choice(CLOSINGS[framings])
    first, _, rest = question.partition(" ")
    if opening.endswith((", ", "me ", "but ")) and first not in ("I", "I'm", "I've", "I'd"):
        question = f"{first[0].lower()}{first[1:]} {rest}"
    return f"{opening}{question}{closing}"


def _reply(asked: tuple[dict[str, Any], float]) -> tuple[str, str, float]:
    body, seconds = asked
    return body["reply"], body["logId"], seconds


def ask_all(client: httpx.Client, headers: dict[str, str], data: dict[str, Any]) -> list[Asked]:
    asked: list[Asked] = []

    def record(item: dict[str, Any], kind: str, body: dict[str, Any], seconds: float) -> None:
        asked.append(Asked(item, kind, body["reply"], body["logId"], seconds))

    for kind in ("answerable", "unanswerable"):
        for item in data[kind]:
            record(item, kind, *ask(client, headers, item["question"]))
    for item in data["followups"]:
        first, _ = ask(client, headers, item["first"])
        record(item, "followup", *ask(client, headers, item["question"], first["conversationId"]))
    return asked


def compound_questions(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Two questions of one split in one message, partners chosen by a generator seeded with the
    first: ("pair", both answerable) for each answerable question, ("mixed", one answerable and
    one not, in either order) for each unanswerable one. The item's answer words are the
    answerable questions' together."""
    asked: list[tuple[str, dict[str, Any]]] = []
    for item in data["answerable"]:
        chance = random.Random(item["question"])
        partner = chance.choice(
            [a for a in data["answerable"] if a["split"] == item["split"] and a is not item]
        )
        question = f"{item['question']} {partner['question']}"
        asked.append(("pair", {**item, "question": question, "answer": item["answer"] + partner["answer"]}))
    for item in data["unanswerable"]:
        chance = random.Random(item["question"])
        partner = chance.choice([a for a in data["answerable"] if a["split"] == item["split"]])
        both = [item["question"], partner["question"]]
        chance.shuffle(both)
        asked.append(("mixed", {**partner, "id": item["id"], "question": " ".join(both)}))
    return asked


def compound_figures(asked: list[Asked]) -> dict[str, str]:
    pairs = [a for a in asked if a.kind == "pair"]
    mixed = [a for a in asked if a.kind == "mixed"]
    return {
        "pairs: both answers in the reply": share(sum(a.right for a in pairs), len(pairs)),
        "pairs: refused whole": share(sum(a.refused_whole for a in pairs), len(pairs)),
        "mixed: answered, the other not found": share(sum(a.right for a in mixed), len(mixed)),
        "mixed: answer in the reply": share(sum(a.holds_answer_words for a in mixed), len(mixed)),
        "chat latency p50 / max": latency([a.seconds for a in asked]),
    }


def latency(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"{statistics.median(ordered) * 1000:.0f} / {ordered[-1] * 1000:.0f} ms" if ordered else "-"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} % ({part}/{whole})" if whole else "-"


def figures(asked: list[Asked]) -> dict[str, str]:
    answerable = [a for a in asked if a.kind == "answerable"]
    unanswerable = [a for a in asked if a.kind == "unanswerable"]
    followups = [a for a in asked if a.kind == "followup"]
    paraphrased = [a for a in answerable if a.item["paraphrased"]]
    ranks = [a.rank for a in answerable]
    refusals = [a for a in asked if a.kind != "followup" and a.refused]
    return {
        "hit@1": share(sum(r == 1 for r in ranks), len(ranks)),
        "hit@3": share(sum(r is not None and r <= 3 for r in ranks), len(ranks)),
        "MRR": f"{statistics.fmean(1 / r if r else 0 for r in ranks):.3f}" if ranks else "-",
        "replies containing the answer": share(sum(a.contains_answer for a in answerable), len(answerable)),
        "  of them paraphrased": share(sum(a.contains_answer for a in paraphrased), len(paraphrased)),
        "answerable wrongly refused": share(sum(a.refused for a in answerable), len(answerable)),
        "unanswerable refused (abstention recall)": share(
            sum(a.refused for a in unanswerable), len(unanswerable)
        ),
        "abstention precision": share(sum(a.kind == "unanswerable" for a in refusals), len(refusals)),
        "follow-ups answered": share(sum(a.contains_answer for a in followups), len(followups)),
        "chat latency p50 / max": latency([a.seconds for a in asked]),
    }


def print_table(asked: list[Asked]) -> None:
    tally = compound_figures if asked and asked[0].kind in ("pair", "mixed") else figures
    columns = {split: tally([a for a in asked if a.item["split"] == split]) for split in SPLITS}
    columns["all"] = tally(asked)
    width = max(len(name) for name in columns["all"])
    print(f"\n{'':<{width}}  " + "  ".join(f"{name:<16}" for name in columns))
    for name in columns["all"]:
        print(f"{name:<{width}}  " + "  ".join(f"{columns[c][name]:<16}" for c in columns))


def print_misses(asked: list[Asked]) -> None:
    for a in asked:
        if not a.right:
            reply = " ".join(a.reply.split())[:240]
            print(f"- [{a.item['split']} {a.item['id']}] {a.item['question']!r} rank={a.rank}: {reply}")


def ask_set(
    runner: Any,
    data_set: Path,
    database: str,
    limit: int | None = None,
    rendering: Rendering = Rendering(),
    typos: bool = False,
    courtesies: bool = False,
    compound: bool = False,
) -> list[Asked]:
    """Every question of one set, asked of a server over a fresh database holding its documents."""
    data = json.loads((data_set / "questions.json").read_text())
    if limit is not None:
        data = {k: v[:limit] if isinstance(v, list) else v for k, v in data.items()}
    if typos:
        for kind in ("answerable", "unanswerable", "followups"):
            for item in data[kind]:
                item["question"] = with_typo(item["question"])
                if "first" in item:
                    item["first"] = with_typo(item["first"])
    if courtesies:
        for kind in ("answerable", "unanswerable", "followups"):
            for item in data[kind]:
                item["question"] = with_courtesies(item["question"], item["split"])
                if "first" in item:
                    item["first"] = with_courtesies(item["first"], item["split"])
    if shifts_pages(data_set, rendering.contents):
        for item in data["answerable"]:
            item["pages"] = [{**p, "page": p["page"] + 1} for p in item.get("pages", [])]
    os.environ.update(
        {
            "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
            "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "CLINIC_NAME": data["clinic"],
            "CHAT_REQUESTS_PER_MINUTE": "1000000",
        }
    )
    database_url = asyncio.run(runner.create_database(database))
    with runner.served(database_url) as server, worker(database_url, runner.REDIS_DB):
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            login = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            upload_all(client, headers, data_set, rendering)
            ask(client, headers, "Hello")  # warm-up: the embedding model loads on the first question
            if compound:
                asked = [
                    Asked(item, kind, *_reply(ask(client, headers, item["question"])))
                    for kind, item in compound_questions(data)
                ]
            else:
                asked = ask_all(client, headers, data)
            passages = retrieved_passages(client, headers)
            for a in asked:
                a.sources = passages[a.log_id]
            return asked


def retrieved_passages(client: httpx.Client, headers: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
    """Each logged exchange's retrieved passages (file, page), in rank order, by log id."""
    found: dict[str, list[tuple[str, int]]] = {}
    while True:
        page = client.get("/ai/logs", headers=headers, params={"limit": 100, "offset": len(found)})
        page.raise_for_status()
        items = page.json()["items"]
        found |= {e["id"]: [(s["filename"], s["page"]) for s in e["sourceDocuments"]] for e in items}
        if not items or len(found) >= page.json()["total"]:
            return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path, help="write every question, reply and source here")
    parser.add_argument("--misses", action="store_true", help="print the questions answered wrongly")
    parser.add_argument("--limit", type=int, help="ask only the first N questions of each kind (a smoke run)")
    parser.add_argument("--redis-db", type=int, help="Redis database of server and worker (default 14)")
    parser.add_argument(
        "--contents-page",
        choices=CONTENTS_STYLES,
        help="a contents page in front of each plain document (pages named in questions.json move on by one)",
    )
    parser.add_argument(
        "--typeset",
        choices=("reportlab", "libreoffice"),
        default="reportlab",
        help="who typesets the documents: reportlab (the default) or LibreOffice Writer, if installed",
    )
    parser.add_argument("--typos", action="store_true", help="ask every question with one typo (`with_typo`)")
    parser.add_argument(
        "--courtesies",
        action="store_true",
        help="ask every question with a greeting or preamble, often thanks (`with_courtesies`)",
    )
    parser.add_argument(
        "--sets",
        type=lambda names: names.split(","),
        help=f"ask only these sets, comma-separated (of {', '.join(map(set_name, SETS))})",
    )
    parser.add_argument(
        "--compound", action="store_true", help="ask two questions in each message (`compound_questions`)"
    )
    args = parser.parse_args()
    if args.typeset == "libreoffice" and (args.contents_page or not writer_available()):
        parser.error("--typeset libreoffice needs soffice on the PATH and takes no --contents-page")
    rendering = Rendering(args.contents_page, args.typeset)
    os.environ.pop("GOOGLE_API_KEY", None)
    runner = load_contract_runner()
    if args.redis_db is not None:
        runner.REDIS_DB = args.redis_db
    asked: list[Asked] = []
    for n, data_set in enumerate(SETS):
        if args.sets and set_name(data_set) not in args.sets:
            continue
        database = f"{DATABASE}_{n}" if n else DATABASE
        asked += ask_set(
            runner, data_set, database, args.limit, rendering, args.typos, args.courtesies, args.compound
        )
    print_table(asked)
    if args.misses:
        print("\nanswered wrongly:")
        print_misses(asked)
    if args.json:
        rows = [
            {
                "id": a.item["id"],
                "split": a.item["split"],
                "kind": a.kind,
                "question": a.item["question"],
                "reply": a.reply,
                "sources": a.sources,
                "rank": a.rank,
                "refused": a.refused,
                "containsAnswer": a.contains_answer if a.kind != "unanswerable" else None,
            }
            for a in asked
        ]
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
