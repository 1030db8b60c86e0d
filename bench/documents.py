"""Documents benchmark: ingesting a 200-page PDF, and filtered vector search over 100,000 chunks.

Over a fresh database `silverstar_bench_documents` (the demo clinic, on TEST_DATABASE_URL's
server, else the embedded PostgreSQL), in one process, no HTTP:

- ingestion: a generated 200-page text PDF (reportlab, ~2,000 characters of distinct prose a
  page) through the real `ingest` coroutine (LocalStorage in a temp dir, the local
  all-MiniLM-L6-v2 embedder, PgVectorStore): pages/s and chunks/s. The stages (read, extract,
  chunk, embed, write) are timed on a second copy of the document by calling the adapters the
  way `ingest` does. Embedding throughput is a ratio to the model's own `encode` (as
  LocalEmbedder configures it) on the same chunk texts in the same run, interleaved with the
  embed stage per 96 texts so that both see the same moments of the machine (on a shared
  2-CPU box the model's throughput swings by 2x between passes a minute apart). Shown twice:
  the embed stage itself, and the embedding inside the real `ingest` (first to last `embed`
  call, timed by a pass-through wrapper of the embedder) against the same encode figure;
- retrieval: 100,000 chunks bulk-loaded with COPY, their unit 384-d vectors clustered (200
  random centres; 2,000 documents of 50 chunks, each drawing its chunks from 1-3 centres plus
  isotropic noise of norm NOISE), 20 % of them (400 documents) private to 200 patients; the
  HNSW index is built after loading, then ANALYZE. `PgVectorStore.search` with k=10 and the
  visibility filter on (knowledge base + one patient, a different one per query; half the
  queries near a centre of that patient's own documents, half near a random centre):
  p50/p99 latency (one session per search, as a request has; the connection pool is warm),
  and recall@10 against an exact scan with the same filter (the same ORDER BY with index
  scans disabled).

Figures are printed against the targets, never asserted.

    .venv/bin/python bench/documents.py [--pages 200] [--queries 400]

The database is dropped and recreated on each run and left in place afterwards.
"""

import argparse
import asyncio
import io
import os
import random
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import numpy as np
from pgvector.asyncpg import register_vector
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.embeddings import Embedder, LocalEmbedder, create_embedder  # noqa: E402
from adapters.pdf_text import chunk_pages, extract_pages  # noqa: E402
from adapters.storage import LocalStorage, document_key  # noqa: E402
from adapters.vector_store import PgVectorStore, SearchScope  # noqa: E402
from bench.common import load_contract_runner  # noqa: E402
from kernel.settings import get_settings  # noqa: E402
from persistence.db import create_engine, create_session_factory  # noqa: E402
from persistence.models import Document, DocumentStatus  # noqa: E402
from persistence.models.documents import EMBEDDING_DIMENSIONS  # noqa: E402
from services.ingestion import EMBED_BATCH_SIZE, ingest  # noqa: E402
from tests.pdfs import text_pdf  # noqa: E402

DATABASE = "silverstar_bench_documents"
SEED = 20240611

TARGET_EMBED_RATIO = 0.8
TARGET_P99_MS = 30.0
TARGET_RECALL = 0.95

CHUNKS = 100_000
CHUNKS_PER_DOCUMENT = 50
PRIVATE_SHARE = 0.2
BENCH_PATIENTS = 200
CENTRES = 200
NOISE = 0.75  # norm of the noise added to a unit centre: cos(chunk, centre) ≈ 0.8
K = 10
WARMUP_QUERIES = 50
INTERLEAVE_BLOCK = 3 * EMBED_BATCH_SIZE


# --- ingestion -------------------------------------------------------------------------------

TOPICS = [
    ("blood tests", "a fasting blood test", "the laboratory", "the results"),
    ("vaccinations", "the influenza vaccine", "the nurse", "the vaccination record"),
    ("physiotherapy", "the knee exercises", "the physiotherapist", "the treatment plan"),
    ("diabetes care", "the glucose meter", "the diabetes nurse", "the HbA1c value"),
    ("blood pressure", "the home monitor", "the general practitioner", "the readings"),
    ("minor surgery", "the wound dressing", "the surgeon", "the stitches"),
    ("allergies", "the skin prick test", "the allergist", "the antihistamine"),
    ("pregnancy care", "the ultrasound scan", "the midwife", "the maternity record"),
    ("children's health", "the growth chart", "the paediatrician", "the check-up booklet"),
    ("travel medicine", "the malaria tablets", "the travel clinic", "the vaccination card"),
    ("sleep problems", "the sleep diary", "the sleep specialist", "the overnight study"),
    ("heart health", "the ECG recording", "the cardiologist", "the cholesterol result"),
]
OPENERS = [
    "Before your appointment for {topic}, please read this section carefully.",
    "Patients often ask what to expect from {thing}.",
    "This page explains how {who} handles {topic} at the clinic.",
    "If you have questions about {record}, speak to {who} at your next visit.",
]
SENTENCES = [
    "Please arrive {minutes} minutes early so that {who} can check your details.",
    "Bring {record} and a list of the medicines you take, including {medicine}.",
    "You should not eat for {hours} hours before {thing}, but you may drink water.",
    "Most patients find that {thing} takes about {minutes} minutes from start to finish.",
    "If you feel unwell on the day, call the reception on weekdays between {open} and {close}.",
    "{who_cap} will explain {record} to you and answer any questions you have.",
    "Side effects such as {effect} are usually mild and pass within {days} days.",
    "Tell {who} if you have ever had {effect} after {thing} in the past.",
    "Children under {age} should be accompanied by a parent or guardian.",
    "We send a reminder by text message {days} days before each appointment for {topic}.",
    "Parking is available behind the building on {street}, and the entrance has step-free access.",
    "Results are usually ready after {days} working days and appear in your patient portal.",
    "Do not stop taking {medicine} unless {who} has told you to do so.",
    "Keep {record} in a safe place, as you may need it for later visits.",
    "Our {topic} service is open on {weekday} mornings for patients with urgent concerns.",
    "If {effect} lasts longer than {days} days, book a follow-up appointment.",
    "The clinic follows the national guidelines on {topic}, updated in {year}.",
    "Interpreters can be arranged for {topic} appointments if you ask at least {days} days ahead.",
]
MEDICINES = ["ibuprofen", "metformin", "ramipril", "levothyroxine", "aspirin", "omeprazole", "salbutamol"]
EFFECTS = ["a sore arm", "a mild fever", "dizziness", "a headache", "tiredness", "a skin rash", "nausea"]
STREETS = ["Lindenstrasse", "Gartenweg", "Marktplatz", "Bahnhofstrasse", "Rosenallee"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def page_text(number: int) -> str:
    """~2,000 characters of clinic prose, different on every page, wrapped to fit A4."""
    rng = random.Random(SEED + number)
    topic, thing, who, record = TOPICS[number % len(TOPICS)]

    def fill(template: str) -> str:
        return template.format(
            topic=topic,
            thing=thing,
            who=who,
            who_cap=who[0].upper() + who[1:],
            record=record,
            minutes=rng.choice([5, 10, 15, 20, 30, 45]),
            hours=rng.choice([6, 8, 10, 12]),
            days=rng.randint(2, 14),
            age=rng.choice([12, 14, 16, 18]),
            year=rng.randint(2015, 2024),
            open=f"{rng.randint(7, 9)}:00",
            close=f"{rng.randint(16, 19)}:30",
            medicine=rng.choice(MEDICINES),
            effect=rng.choice(EFFECTS),
            street=rng.choice(STREETS),
            weekday=rng.choice(WEEKDAYS),
        )

    lines = [f"Section {number}: {topic.capitalize()} (part {number // len(TOPICS) + 1})", ""]
    size = 0
    while size < 1950:
        paragraph = [fill(rng.choice(OPENERS))]
        paragraph += [fill(s) for s in rng.sample(SENTENCES, rng.randint(3, 5))]
        joined = " ".join(paragraph)
        size += len(joined)
        lines += [*textwrap.wrap(joined, 80), ""]
    return "\n".join(lines)


class TimedEmbedder:
    """Passes `embed` through to the real embedder, noting when each call starts and ends."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.calls: list[tuple[float, float, int]] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self._inner.embed(texts)
        self.calls.append((started, time.perf_counter(), len(texts)))
        return vectors


@dataclass
class IngestFigures:
    pages: int = 0
    chunks: int = 0
    pdf_bytes: int = 0
    characters: int = 0  # extracted, all pages
    total: float = 0.0
    embed_span: float = 0.0  # first embed call's start to the last one's end, inside ingest
    direct_seconds: float = 0.0  # the model's encode, interleaved with the embed stage
    stages: dict[str, float] = field(default_factory=dict)


def direct_encode(embedder: LocalEmbedder, texts: list[str]) -> float:
    """Seconds for the model's own encode over all texts, as LocalEmbedder configures it."""
    model = embedder._model
    started = time.perf_counter()
    model.encode(
        texts,
        batch_size=32,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return time.perf_counter() - started


async def new_document(session_factory: Any, storage: LocalStorage, data: bytes, label: str) -> uuid.UUID:
    document_id = uuid.uuid4()
    url = storage.put(document_key(document_id), io.BytesIO(data))
    async with session_factory.begin() as session:
        admin = (
            await session.execute(text("SELECT id FROM users WHERE role = 'admin' ORDER BY email LIMIT 1"))
        ).scalar_one()
        session.add(
            Document(
                id=document_id,
                user_id=admin,
                patient_id=None,
                filename=f"bench-ingest-{label}.pdf",
                content_type="application/pdf",
                size_bytes=len(data),
                sha256=uuid.uuid4().hex * 2,
                storage_url=url,
            )
        )
    return document_id


async def bench_ingest(url: str, pages: int) -> IngestFigures:
    figures = IngestFigures(pages=pages)
    started = time.perf_counter()
    data = text_pdf([page_text(n) for n in range(1, pages + 1)])
    figures.pdf_bytes = len(data)
    print(f"generated a {pages}-page PDF ({len(data) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")

    settings = get_settings().model_copy(
        update={"embedding_provider": "local", "local_embedding_model": None, "database_url": url}
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, LocalEmbedder)
    store = PgVectorStore()
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-documents-") as directory:
            storage = LocalStorage(Path(directory))

            # Stages, on one copy, the way `ingest` calls the adapters.
            staged = await new_document(session_factory, storage, data, "stages")
            t0 = time.perf_counter()
            read = await asyncio.to_thread(storage.read, document_key(staged))
            t1 = time.perf_counter()
            texts = await asyncio.to_thread(extract_pages, read, max_pages=settings.max_document_pages)
            t2 = time.perf_counter()
            chunks = chunk_pages(texts)
            t3 = time.perf_counter()
            chunk_texts = [chunk.text for chunk in chunks]
            # Warm the model (first calls allocate) before anything embedding is timed.
            embedder.embed(chunk_texts[:64])
            direct_encode(embedder, chunk_texts[:64])
            # The embed stage as ingest runs it, interleaved block by block with the model's own
            # encode of the same texts, so both see the same moments of a noisy machine.
            vectors: list[list[float]] = []
            pipeline_seconds = direct_seconds = 0.0
            for block in range(0, len(chunks), INTERLEAVE_BLOCK):
                started = time.perf_counter()
                for start in range(block, min(block + INTERLEAVE_BLOCK, len(chunks)), EMBED_BATCH_SIZE):
                    batch = chunk_texts[start : start + EMBED_BATCH_SIZE]
                    vectors.extend(await asyncio.to_thread(embedder.embed, batch))
                pipeline_seconds += time.perf_counter() - started
                direct_seconds += direct_encode(embedder, chunk_texts[block : block + INTERLEAVE_BLOCK])
            figures.direct_seconds = direct_seconds
            t4 = time.perf_counter()
            async with session_factory() as session:
                document = await session.get(Document, staged, with_for_update=True)
                assert document is not None
                await store.replace_chunks(session, document, list(zip(chunks, vectors, strict=True)))
                document.status = DocumentStatus.ready
                document.page_count = len(texts)
                document.chunk_count = len(chunks)
                await session.commit()
            t5 = time.perf_counter()
            figures.stages = {
                "read": t1 - t0,
                "extract": t2 - t1,
                "chunk": t3 - t2,
                "embed": pipeline_seconds,
                "write": t5 - t4,
            }
            figures.chunks = len(chunks)
            figures.characters = sum(len(page) for page in texts)

            # The whole pipeline, for real.
            whole = await new_document(session_factory, storage, data, "whole")
            timed = TimedEmbedder(embedder)
            started = time.perf_counter()
            status = await ingest(
                whole,
                session_factory=session_factory,
                storage=storage,
                embedder=timed,
                store=store,
                settings=settings,
            )
            figures.total = time.perf_counter() - started
            if status != DocumentStatus.ready:
                raise RuntimeError(f"ingest ended {status}")
            async with session_factory() as session:
                document = await session.get(Document, whole)
                assert document is not None
                if document.chunk_count != figures.chunks or document.page_count != pages:
                    raise RuntimeError(
                        f"ingest made {document.chunk_count} chunks of {document.page_count} pages"
                    )
            embedded = sum(n for _, _, n in timed.calls)
            if embedded != figures.chunks:
                raise RuntimeError(f"ingest embedded {embedded} texts, expected {figures.chunks}")
            figures.embed_span = timed.calls[-1][1] - timed.calls[0][0]
    finally:
        await engine.dispose()
    return figures


# --- retrieval -------------------------------------------------------------------------------

FILLER = (
    "The clinic handbook describes opening hours, how to book and cancel appointments, what "
    "to bring to a first visit, how test results are shared, and whom to call out of hours. "
) * 5


@dataclass
class Corpus:
    centres: np.ndarray  # (CENTRES, D), unit rows
    patient_ids: list[uuid.UUID]
    patient_centres: dict[uuid.UUID, list[int]]
    chunk_owner: list[uuid.UUID | None]  # by chunk number (its text starts "Bench chunk <n>:")


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    normalised: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return normalised


def noisy(rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Unit vectors at the centres plus isotropic noise of norm ≈ NOISE."""
    noise = rng.standard_normal(centres.shape) * (NOISE / np.sqrt(EMBEDDING_DIMENSIONS))
    return unit_rows(centres + noise).astype(np.float32)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def load_chunks(url: str) -> Corpus:
    """The ingestion bench's documents out, then 100,000 clustered chunks in; HNSW built after."""
    rng = np.random.default_rng(SEED)
    centres = unit_rows(rng.standard_normal((CENTRES, EMBEDDING_DIMENSIONS)))
    documents = CHUNKS // CHUNKS_PER_DOCUMENT
    private_documents = int(documents * PRIVATE_SHARE)
    document_centres = [
        rng.choice(CENTRES, size=int(rng.integers(1, 4)), replace=False) for _ in range(documents)
    ]
    assignment = np.concatenate([rng.choice(topics, size=CHUNKS_PER_DOCUMENT) for topics in document_centres])
    vectors = noisy(rng, centres[assignment])

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await register_vector(conn)
        started = time.perf_counter()
        index = await conn.fetchrow(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'document_chunks' AND indexdef LIKE '%hnsw%'"
        )
        assert index is not None
        await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        await conn.execute("DELETE FROM documents WHERE filename LIKE 'bench-ingest-%'")
        await conn.execute("DELETE FROM document_chunks")
        admin = await conn.fetchval("SELECT id FROM users WHERE role = 'admin' ORDER BY email LIMIT 1")
        patient_ids: list[uuid.UUID] = [
            row["id"]
            for row in await conn.fetch(
                "INSERT INTO users (id, email, password_hash, name, role, is_active) "
                "SELECT gen_random_uuid(), 'bench-doc-' || g || '@bench.test', 'x', 'Bench ' || g, "
                "'patient', true FROM generate_series(1, $1::int) g RETURNING id",
                BENCH_PATIENTS,
            )
        ]
        document_rows = [
            (
                uuid.uuid4(),
                admin,
                patient_ids[d % BENCH_PATIENTS] if d < private_documents else None,
                f"bench-{d}.pdf",
                "application/pdf",
                100_000,
                f"{d:064x}",
                f"file:///bench/{d}.pdf",
                "ready",
                CHUNKS_PER_DOCUMENT // 2,
                CHUNKS_PER_DOCUMENT,
            )
            for d in range(documents)
        ]
        await conn.copy_records_to_table(
            "documents",
            records=document_rows,
            columns=[
                "id", "user_id", "patient_id", "filename", "content_type", "size_bytes", "sha256",
                "storage_url", "status", "page_count", "chunk_count",
            ],
        )  # fmt: skip
        chunk_owner: list[uuid.UUID | None] = []
        chunk_rows = []
        for n in range(CHUNKS):
            d, index_in_document = divmod(n, CHUNKS_PER_DOCUMENT)
            owner = document_rows[d][2]
            chunk_owner.append(owner)
            chunk_rows.append(
                (
                    uuid.uuid4(),
                    document_rows[d][0],
                    index_in_document,
                    1 + index_in_document // 2,
                    f"Bench chunk {n}: {FILLER}",
                    vectors[n],
                    owner,
                )
            )
        await conn.copy_records_to_table(
            "document_chunks",
            records=chunk_rows,
            columns=["id", "document_id", "chunk_index", "page", "text", "embedding", "patient_id"],
        )
        loaded = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute(index["indexdef"])
        indexed = time.perf_counter()
        await conn.execute("ANALYZE documents")
        await conn.execute("ANALYZE document_chunks")
        size = await conn.fetchval(
            "SELECT pg_size_pretty(pg_relation_size($1::regclass))", index["indexname"]
        )
        print(
            f"loaded {CHUNKS:,} chunks with COPY in {loaded - started:.0f} s, built the HNSW index "
            f"({size}) in {indexed - loaded:.0f} s"
        )
    finally:
        await conn.close()

    patient_centres: dict[uuid.UUID, list[int]] = {p: [] for p in patient_ids}
    for d in range(private_documents):
        patient_centres[patient_ids[d % BENCH_PATIENTS]].extend(int(c) for c in document_centres[d])
    return Corpus(centres, patient_ids, patient_centres, chunk_owner)


@dataclass
class Query:
    patient_id: uuid.UUID
    vector: np.ndarray
    own_centre: bool  # near a centre of the scoped patient's own documents


def make_queries(corpus: Corpus, count: int) -> list[Query]:
    """Half near a centre of the scoped patient's own documents, half near a random centre."""
    rng = np.random.default_rng(SEED + 1)
    queries = []
    for q in range(count):
        patient = corpus.patient_ids[q % len(corpus.patient_ids)]
        own = corpus.patient_centres[patient]
        own_centre = q % 2 == 0 and bool(own)
        centre = int(rng.choice(own)) if own_centre else int(rng.integers(CENTRES))
        queries.append(Query(patient, noisy(rng, corpus.centres[centre : centre + 1])[0], own_centre))
    return queries


def chunk_number(chunk_text: str) -> int:
    return int(chunk_text.removeprefix("Bench chunk ").split(":", 1)[0])


@dataclass
class RetrievalFigures:
    latencies: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    own_centre: list[bool] = field(default_factory=list)
    short: int = 0  # searches answering fewer than k hits
    invisible: int = 0  # hits the scope must not see
    search_plan: str = ""
    exact_plan: str = ""


async def bench_retrieval(url: str, corpus: Corpus, count: int) -> RetrievalFigures:
    figures = RetrievalFigures()
    queries = make_queries(corpus, WARMUP_QUERIES + count)
    store = PgVectorStore()
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    captured = capture_search_statement(engine)
    results: list[list[int]] = []
    try:
        for n, query in enumerate(queries):
            async with session_factory() as session:
                started = time.perf_counter()
                hits = await store.search(session, SearchScope(query.patient_id), query.vector.tolist(), K)
                elapsed = time.perf_counter() - started
            if n < WARMUP_QUERIES:
                continue
            figures.latencies.append(elapsed)
            numbers = [chunk_number(hit.text) for hit in hits]
            results.append(numbers)
            figures.short += len(hits) < K
            figures.invisible += sum(corpus.chunk_owner[c] not in (None, query.patient_id) for c in numbers)
        figures.search_plan = await explain_search(session_factory, captured)
    finally:
        await engine.dispose()

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await register_vector(conn)
        exact = (
            "SELECT text FROM document_chunks WHERE patient_id IS NULL OR patient_id = $1 "
            "ORDER BY embedding <=> $2 LIMIT $3"
        )
        for query, found in zip(queries[WARMUP_QUERIES:], results, strict=True):
            async with conn.transaction():
                await conn.execute("SET LOCAL enable_indexscan = off")
                await conn.execute("SET LOCAL enable_bitmapscan = off")
                rows = await conn.fetch(exact, query.patient_id, query.vector, K)
            truth = {chunk_number(row["text"]) for row in rows}
            figures.recalls.append(len(truth & set(found)) / len(truth))
            figures.own_centre.append(query.own_centre)
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_indexscan = off")
            await conn.execute("SET LOCAL enable_bitmapscan = off")
            plan = await conn.fetch("EXPLAIN " + exact, queries[0].patient_id, queries[0].vector, K)
        figures.exact_plan = "\n".join(row[0] for row in plan)
    finally:
        await conn.close()
    return figures


def capture_search_statement(engine: AsyncEngine) -> list[tuple[str, Any]]:
    """The SQL PgVectorStore.search sends for its nearest rows (the last one seen), for EXPLAIN."""
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def note(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if "nearest" in statement:
            captured[:] = [(statement, parameters)]

    return captured


async def explain_search(session_factory: Any, captured: list[tuple[str, Any]]) -> str:
    if not captured:
        return "(the search statement was not seen)"
    statement, parameters = captured[0]
    async with session_factory() as session:
        # The settings search makes for its own transaction.
        await session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        await session.execute(text(f"SET LOCAL hnsw.ef_search = {max(100, K)}"))
        connection = await session.connection()
        rows = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


# --- report ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def report(ingested: IngestFigures, retrieval: RetrievalFigures) -> None:
    chunks = ingested.chunks
    direct_rate = chunks / ingested.direct_seconds
    stage_rate = chunks / ingested.stages["embed"]
    stage_ratio = stage_rate / direct_rate
    ingest_rate = chunks / ingested.embed_span
    ingest_ratio = ingest_rate / direct_rate
    p50 = percentile(retrieval.latencies, 0.5) * 1000
    p99 = percentile(retrieval.latencies, 0.99) * 1000
    recall = statistics.mean(retrieval.recalls)
    own = [r for r, o in zip(retrieval.recalls, retrieval.own_centre, strict=True) if o]
    other = [r for r, o in zip(retrieval.recalls, retrieval.own_centre, strict=True) if not o]

    print()
    print(
        f"Ingestion stages ({ingested.pages} pages of {ingested.characters / ingested.pages:,.0f} characters "
        f"on average, {chunks} chunks; adapters called as ingest does):"
    )
    staged_total = sum(ingested.stages.values())
    for stage, seconds in ingested.stages.items():
        print(f"  {stage:<8} {seconds:8.2f} s  {seconds / staged_total:6.1%}")
    print(f"  {'total':<8} {staged_total:8.2f} s")
    print(
        f"  embed stage {stage_rate:.1f} chunks/s; the model's encode on the same texts, interleaved with "
        f"it per {INTERLEAVE_BLOCK} texts: {direct_rate:.1f} chunks/s"
    )
    print()
    rows: list[tuple[str, str, str, bool | None]] = [
        ("ingest: pages/s (one real ingest)", f"{ingested.pages / ingested.total:.1f}", "—", None),
        ("ingest: chunks/s", f"{chunks / ingested.total:.1f}", "—", None),
        ("ingest: wall time", f"{ingested.total:.1f} s", "—", None),
        (
            "embed stage / direct encode (interleaved)",
            f"{stage_ratio:.2f} ({stage_rate:.1f} vs {direct_rate:.1f}/s)",
            f"≥ {TARGET_EMBED_RATIO}",
            stage_ratio >= TARGET_EMBED_RATIO,
        ),
        (
            "embedding inside the real ingest / direct",
            f"{ingest_ratio:.2f} ({ingest_rate:.1f} vs {direct_rate:.1f}/s)",
            f"≥ {TARGET_EMBED_RATIO}",
            ingest_ratio >= TARGET_EMBED_RATIO,
        ),
        (f"search k={K}, filtered: p50", f"{p50:.2f} ms", "—", None),
        (f"search k={K}, filtered: p99", f"{p99:.2f} ms", f"≤ {TARGET_P99_MS:.0f} ms", p99 <= TARGET_P99_MS),
        (
            f"recall@{K} vs exact scan",
            f"{recall:.3f} (min {min(retrieval.recalls):.1f})",
            f"≥ {TARGET_RECALL}",
            recall >= TARGET_RECALL,
        ),
        (
            "queries with recall < 0.5 (own centre, random centre)",
            f"{sum(r < 0.5 for r in own)}, {sum(r < 0.5 for r in other)}",
            "—",
            None,
        ),
        ("searches with < k hits", str(retrieval.short), "0", retrieval.short == 0),
        ("hits outside the scope", str(retrieval.invisible), "0", retrieval.invisible == 0),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    header = ("metric", "figure", "target")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  result")
    for name, figure, target, met in rows:
        verdict = "" if met is None else ("met" if met else "MISSED")
        cells = (name, figure, target)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + verdict)
    print(f"({len(retrieval.latencies)} queries after {WARMUP_QUERIES} warm-up; latency is the search call")
    print(" in a fresh session from a warm pool: BEGIN, two SET LOCALs and the query)")


def plan_summary(plan: str) -> str:
    nodes = [line.strip().removeprefix("->").strip() for line in plan.splitlines()]
    return " / ".join(node.split("  (")[0] for node in nodes if "Scan" in node or "Limit" in node)


async def prepare(runner: ModuleType) -> str:
    started = time.perf_counter()
    url: str = await runner.prepare_database(DATABASE)
    print(f"database {DATABASE} created, migrated and seeded in {time.perf_counter() - started:.1f} s")
    return url


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    print(
        "load average at start: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" ({os.cpu_count()} CPUs)"
    )
    runner = load_contract_runner()
    url = asyncio.run(prepare(runner))
    ingested = asyncio.run(bench_ingest(url, args.pages))
    corpus = asyncio.run(load_chunks(url))
    retrieval = asyncio.run(bench_retrieval(url, corpus, args.queries))
    print(f"search plan: {plan_summary(retrieval.search_plan)}")
    print(f"exact plan:  {plan_summary(retrieval.exact_plan)}")
    report(ingested, retrieval)
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
