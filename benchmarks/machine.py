"""What the benchmark ran on: processor, cores, memory, library versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "torch", "sentence-transformers", "transformers", "faiss-cpu", "bm25s", "numpy",
    "onnxruntime", "langchain-community", "langchain-huggingface",
)  # fmt: skip


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return "?"
    return f"{kib / 2**20:.1f} GiB"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "?"
    libs = [
        f"{i['internal_api']} {i.get('architecture', '')} x{i['num_threads']}"
        for i in threadpool_info()
    ]
    return ", ".join(libs) or "?"


def machine() -> dict[str, str]:
    info = {
        "cpu": _cpu(),
        "cores": str(os.cpu_count()),
        "memory": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "blas": _blas(),
    }
    info.update({name: _version(name) for name in PACKAGES})
    return info
