#!/usr/bin/env python3
"""A local SMTP server that keeps every message it receives as a file, for seeing the
store's email while developing and for the tests: `scripts/smtp-sink.py PORT DIR`.
Needs aiosmtpd (scripts/setup.sh installs it)."""

import asyncio
import email
import email.policy
import json
import pathlib
import sys

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        name = self.directory / f"{self.count:05d}.eml"
        write(name, raw)
        # The same message decoded, for tests to read without a MIME parser.
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for kind in ("plain", "html"):
            body = message.get_body(preferencelist=(kind,))
            parts[kind] = body.get_content() if body is not None else ""
        decoded = {
            "from": str(message["From"]),
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "text": parts["plain"],
            "html": parts["html"],
        }
        write(name.with_suffix(".json"), json.dumps(decoded, ensure_ascii=False).encode())
        print(f"smtp-sink: {name} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


def write(path: pathlib.Path, data: bytes) -> None:
    """Whole files only: readers never see a half-written one."""
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.rename(path)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 2525
    directory = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "mail")
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp-sink: listening on 127.0.0.1:{port}, keeping mail in {directory}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
