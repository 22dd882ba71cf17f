"""Mailings from a group to its supporters: compose, audience, schedule, send, report."""
