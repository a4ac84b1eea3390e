# The bot and the `talks` command, CPU only, with the PostgreSQL store's driver.
FROM python:3.11-slim
WORKDIR /app
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
# torch first, pinned to the CPU build: a plain `torch` requirement pulls a multi-GB CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir ".[postgres]"
COPY corpus ./corpus
CMD ["talks", "serve"]
