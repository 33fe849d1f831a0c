"""The gateway: HTTP and gRPC uploads, batch status and contacts."""
