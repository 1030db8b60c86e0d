"""The baseline of bench/scheduling.py: FastAPI with one `GET /health`, nothing of ours."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
