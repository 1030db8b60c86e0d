"""Hand-written implementations of the generated per-tag Protocols (generated/routes.py).

Handlers are thin: they map an operation onto a service call and the result onto the
contract's models. Rules live in services/, queries in persistence/.
"""
