"""Domain rules: permissions, state machines, availability. Services flush, never commit."""
