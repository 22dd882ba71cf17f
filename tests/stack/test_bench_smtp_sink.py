"""The bench's SMTP sink (tests/bench/smtp_sink.py) counts what a real client sends it: every
message once, a Message-ID seen before as a duplicate, however the bytes are cut."""

from __future__ import annotations

import json
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from organizer.mail.transport import send_pipelined
from tests.support.services import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _message(message_id: str, body: bytes = b"Hello\r\n") -> bytes:
    return b"Message-ID: <" + message_id.encode() + b">\r\nSubject: x\r\n\r\n" + body


@pytest.fixture
def sink(tmp_path):
    port, stats = free_port(), tmp_path / "stats.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.smtp_sink", str(port), str(stats)], cwd=ROOT
    )
    try:
        wait_for(stats.exists, 20, what="the bench sink")

        def read():
            return json.loads(stats.read_text())

        yield port, read, process
    finally:
        process.terminate()
        process.wait(10)


def _settled(read, total):
    return wait_for(lambda: (s := read())["total"] >= total and s, 10, 0.05, "the sink's count")


def test_every_message_counts_once_and_a_second_copy_is_a_duplicate(sink):
    port, read, _process = sink
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.ehlo()
        assert client.has_extn("pipelining")
        send_pipelined(client, "a@example.org", "b@example.org", _message("1@x"))
        # A lone dot in the content, doubled on the wire, does not end the message.
        send_pipelined(client, "a@x", "b@x", _message("2@x", b"a\r\n.\r\nb\r\n"))
        client.sendmail("a@example.org", ["c@example.org"], _message("1@x"))
    stats = _settled(read, 3)
    assert (stats["total"], stats["unique"], stats["duplicates"]) == (3, 2, 1)
    assert stats["connections"] == 1


def test_messages_cut_anywhere_or_sent_in_one_burst_are_all_counted(sink):
    port, read, _process = sink
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        reader = conn.makefile("rb")

        def replies(count):
            return [reader.readline()[:3] for _ in range(count)]

        assert replies(1) == [b"220"]
        conn.sendall(b"EHLO bench\r\n")
        while not reader.readline().startswith(b"250 "):
            pass
        conn.sendall(b"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n")
        assert replies(3) == [b"250", b"250", b"354"]
        # The end of the data arrives a byte at a time.
        for byte in _message("cut@x") + b".\r\n":
            conn.sendall(bytes([byte]))
        assert replies(1) == [b"250"]
        # Ten messages in one write, each content right after its 354 (no wait between).
        burst = b"".join(
            b"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n" + _message(f"{n}@x") + b".\r\n"
            for n in range(10)
        )
        conn.sendall(burst + b"QUIT\r\n")
        assert replies(41) == [b"250", b"250", b"354", b"250"] * 10 + [b"221"]
    stats = _settled(read, 11)
    assert (stats["total"], stats["unique"], stats["duplicates"]) == (11, 11, 0)


def test_a_new_window_counts_from_zero_and_keeps_the_ids_seen(sink):
    port, read, process = sink
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        send_pipelined(client, "a@x", "b@x", _message("early@x"))
        _settled(read, 1)
        before = read()["written_at"]
        process.send_signal(signal.SIGUSR1)
        wait_for(lambda: read()["written_at"] > before and read()["window"] == 0, 5, 0.05, "reset")
        send_pipelined(client, "a@x", "b@x", _message("early@x"))
        send_pipelined(client, "a@x", "b@x", _message("late@x"))
    stats = _settled(read, 3)
    assert (stats["window"], stats["window_duplicates"], stats["duplicates"]) == (2, 1, 1)
