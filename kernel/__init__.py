"""The bottom layer: settings, errors, passwords, secrets, tokens, logging. Imports nothing of ours."""
