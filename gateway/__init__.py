"""The gateway: HTTP and gRPC uploads, batch status and contacts.

An uploaded ZIP is spooled to ``<CARDSCAN_DATA_DIR>/uploads/<batch id>.zip``
and stays there until every card the store registered from it has ended,
DONE or FAILED; only then is the file deleted. A gateway that dies midway
(a crash, a kill, a machine restart) thus leaves the file behind, and the
next gateway to start on the same data directory settles it as soon as NATS
answers, before it reports SERVING:

- if the store never heard of the batch, the upload was never accepted
  (its caller got no reply) and the file is deleted;
- otherwise every card the store still has QUEUED whose message is not in
  the card stream was never published (workers acknowledge a card only
  once the store recorded how it ended), so it is read again from the file
  through the same checks and published; the store is asked again just
  before, so that a card read in the meantime is not published twice;
- if the file no longer reads as the upload the store registered, those
  cards are recorded FAILED with a reason that asks for the upload again.

If the store or NATS cannot be reached for this, the gateway starts all the
same and tries again every SETTLE_RETRY_SECONDS; the file stays meanwhile.

A running gateway does the same for its own uploads. A card that NATS did
not take, or whose publish was not confirmed, stays QUEUED rather than
FAILED: a publish that timed out may still have reached the stream. An
upload whose registration the store did not confirm is looked up again
the same way. Every SETTLE_RETRY_SECONDS, while NATS is connected, the
gateway looks for each such card in the stream and publishes it from the
spool file if it is not there; until every card is queued or failed, the
batch's notice says why its cards wait. A card stream that is gone
(deleted, or lost with NATS's storage) is created again at the next
publish, and OCR workers create their consumers again. The gateway also
looks every SETTLE_RETRY_SECONDS at when the card stream was created: when
the stream is gone or newer than the one it last saw, the cards it held
went with it, and the gateway looks for the QUEUED cards of each upload
whose spool file it still keeps, and publishes those the stream lacks.

A gateway told to stop refuses the uploads still arriving and queues those
it received whole for up to server.DRAIN_SECONDS (see gateway.intake); the
cards it has not queued by then are left in their spool files, which its
next start settles as above.

Replicas each need a data directory of their own: two gateways sharing one
are not supported, as each would take the other's uploads in progress for
leftovers.

Until the gateway has listened for OCR workers' heartbeats for a whole
heartbeat window, a batch is never told that no worker is running, and a
single card is never refused for want of one; nor while the gateway's own
echo through NATS stops arriving, as a hung NATS silences every worker; nor
while the store does not answer the gateway, or within a heartbeat window
of its return, as workers cut off from the store stop their heartbeats.
After that, a single card is refused at once while no worker runs, before
it is registered; a batch is taken all the same, as its cards wait in the
queue, with a notice.
"""
