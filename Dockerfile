# The images of cardscan's three services, built from the repository root with
# one target each: `docker build --target gateway .` (or ocr, or store).
#
# One stage installs the dependencies and the code generated from protos/ into
# a virtualenv; every service image copies that same virtualenv, so the three
# cannot drift apart. The images run as the unprivileged user 10001; the store
# and the gateway keep their data in /var/lib/cardscan.

FROM python:3.11.14-slim-bookworm AS base

ENV PATH=/opt/cardscan/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN groupadd --gid 10001 cardscan \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin cardscan \
    && install -d -o 10001 -g 10001 /var/lib/cardscan


FROM base AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1

# make runs the project's one recipe for generating code from protos/.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make=4.3-4.1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
RUN python -m venv /opt/cardscan

# The dependencies first, from pyproject.toml alone, so that a change to the
# code does not download them again. With no package folders copied yet, this
# installs an empty cardscan that only carries the requirements.
COPY pyproject.toml ./
RUN pip install --no-cache-dir "grpcio-tools>=1.62" . \
    && pip uninstall --yes cardscan

COPY Makefile ./
COPY protos/ protos/
COPY cardscan/ cardscan/
COPY gateway/ gateway/
COPY ocr_service/ ocr_service/
COPY store_service/ store_service/
RUN make protos PYTHON=/opt/cardscan/bin/python \
    && pip install --no-cache-dir --no-deps . \
    && pip uninstall --yes grpcio-tools \
    && python -c "import gateway.__main__, ocr_service.__main__, store_service.__main__"


FROM base AS store

COPY --from=build /opt/cardscan /opt/cardscan
ENV STORE_LISTEN=0.0.0.0:50052 \
    CARDSCAN_DATA_DIR=/var/lib/cardscan
USER 10001:10001
EXPOSE 50052
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "cardscan.healthcheck", "127.0.0.1:50052"]
CMD ["python", "-m", "store_service"]


FROM base AS gateway

COPY --from=build /opt/cardscan /opt/cardscan
ENV GATEWAY_GRPC_LISTEN=0.0.0.0:50051 \
    GATEWAY_HTTP_LISTEN=0.0.0.0:8080 \
    CARDSCAN_DATA_DIR=/var/lib/cardscan
USER 10001:10001
EXPOSE 8080 50051
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "cardscan.healthcheck", "127.0.0.1:50051"]
CMD ["python", "-m", "gateway"]


FROM base AS ocr

# Tesseract's language data for the languages cards are read in, pinned because
# it decides what OCR reads. tesserocr brings its own engine library and finds
# the data through TESSDATA_PREFIX; the tesseract command is there for reading
# a card by hand inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr=5.3.0-2 \
        tesseract-ocr-eng=1:4.1.0-2 \
        tesseract-ocr-deu=1:4.1.0-2 \
        tesseract-ocr-fra=1:4.1.0-2 \
        tesseract-ocr-spa=1:4.1.0-2 \
        tesseract-ocr-ita=1:4.1.0-2 \
        tesseract-ocr-nld=1:4.1.0-2 \
        tesseract-ocr-por=1:4.1.0-2 \
        tesseract-ocr-swe=1:4.1.0-2 \
        tesseract-ocr-script-latn=1:4.1.0-2 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /opt/cardscan /opt/cardscan
ENV TESSDATA_PREFIX=/usr/share/tesseract-ocr/5/tessdata \
    OCR_HEALTH_LISTEN=0.0.0.0:50053
USER 10001:10001
EXPOSE 50053
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "cardscan.healthcheck", "127.0.0.1:50053"]
CMD ["python", "-m", "ocr_service"]
