"""Every actor, registered on the broker: `dramatiq workers.actors` runs them all."""

from workers.broker import broker

__all__ = ["broker"]
