"""The worker entry point, `dramatiq workers.actors`: every actor, on the worker's broker.

Only worker processes import the actor modules (the API and the CLI send jobs by actor name).
"""

from workers.broker import worker_broker
from workers.calls import answer_call_turn
from workers.documents import abandon_document, ingest_document, sweep_documents
from workers.heartbeat import WorkerHeartbeat

broker = worker_broker()
broker.add_middleware(WorkerHeartbeat())

__all__ = ["abandon_document", "answer_call_turn", "broker", "ingest_document", "sweep_documents"]
