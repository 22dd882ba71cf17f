"""A group's supporters: one per canonical email, their consent history, tags, erasure."""
