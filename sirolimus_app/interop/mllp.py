"""The MLLP listener (hl7.mllp, asyncio): each framed message is imported in a worker thread
(the ORM is synchronous) and answered with its ACK once the import is committed, so a
message the laboratory saw acknowledged is never lost."""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections
from hl7.mllp import InvalidBlockError, start_hl7_server

from sirolimus_app.models import InboundMessage

from . import hl7v2, importer

logger = logging.getLogger(__name__)


def answer(data: bytes) -> bytes:
    """The ACK for one framed message's bytes."""
    text = hl7v2.decode(data)
    # Answered in the message's character set: UTF-8 if it was, else ISO 8859-1.
    encoding = "utf-8" if text.encode("utf-8") == data else "latin-1"
    close_old_connections()
    try:
        outcome = importer.receive(text, format=InboundMessage.Format.HL7V2,
                                   channel=InboundMessage.Channel.MLLP, read=hl7v2.read)
        return hl7v2.ack(text, outcome.ack, outcome.reason).encode(encoding, "replace")
    finally:
        close_old_connections()


class Listener:
    """`run()` serves until `stop()`; `port` is the bound one (0 asks for a free port)."""

    def __init__(self, host: str, port: int, workers: int = 2):
        self.host, self.port = host, port
        self.ready = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=workers)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    async def _client(self, reader, writer):
        loop = asyncio.get_running_loop()
        try:
            while True:
                block = await reader.readblock()
                writer.writeblock(await loop.run_in_executor(self._executor, answer, block))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the laboratory closed the connection
        except InvalidBlockError:
            logger.warning("MLLP: invalid framing from %s", writer.get_extra_info("peername"))
        except Exception:
            # No ACK: the laboratory keeps the message and sends it again.
            logger.exception("MLLP: connection from %s dropped",
                             writer.get_extra_info("peername"))
        finally:
            writer.close()

    async def _serve(self):
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await start_hl7_server(self._client, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        async with server:
            await self._stopping.wait()

    def run(self):
        try:
            asyncio.run(self._serve())
        finally:
            self._executor.shutdown(wait=True)
            self.ready.set()

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
