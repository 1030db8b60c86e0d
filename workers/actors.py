"""Every actor, registered on the broker: `dramatiq workers.actors` runs them all."""

from workers.broker import broker
from workers.calls import answer_call_turn
from workers.documents import abandon_document, ingest_document, sweep_documents
from workers.heartbeat import WorkerHeartbeat

broker.add_middleware(WorkerHeartbeat())

__all__ = ["abandon_document", "answer_call_turn", "broker", "ingest_document", "sweep_documents"]
