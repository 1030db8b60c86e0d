"""The baselines of bench/scheduling.py: FastAPI with one `GET /health`, nothing of ours.

`app` declares it with `def`, FastAPI's most common form (and the baseline issue 18's targets
were set against): FastAPI runs it on its thread pool, a hop that costs more than the rest of
such a request. `async_app` declares it with `async def`: what FastAPI itself can serve.
"""

from fastapi import FastAPI

app = FastAPI()
async_app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@async_app.get("/health")
async def async_health() -> dict[str, str]:
    return {"status": "ok"}
