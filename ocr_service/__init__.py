"""OCR workers: read card images from NATS and store their contacts."""
