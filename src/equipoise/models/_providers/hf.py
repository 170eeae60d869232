"""`hf:PATH` — a local transformers checkpoint (optional extra: `pip install equipoise[hf]`).

Generation runs on one worker thread so the event loop stays free; calls are serialised because
one model instance generating twice at once only competes for the same cores.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from equipoise._registry import registrar
from equipoise.models._providers._util import ProviderArgs, concurrency_field
from equipoise.models._types import ChatRequest, ChatResponse, ModelError, Usage

modelapi = registrar("modelapi")


class HFArgs(ProviderArgs):
    """`args` of an `hf:` entry."""

    max_concurrency: Annotated[int, concurrency_field()] = 1


@modelapi("hf", description="A local transformers checkpoint directory (extra: equipoise[hf])", args=HFArgs)
class HFModel:
    """A causal language model loaded from a local directory, never from a hub."""

    def __init__(self, target: str, args: HFArgs | None = None) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise ModelError(
                "hf: models need the optional extra: pip install torch==2.13.0 transformers "
                "(or pip install 'equipoise[hf]')"
            ) from e
        self.path = Path(target).expanduser()
        if not (self.path / "config.json").is_file():
            raise ModelError(f"hf:{target}: {self.path} is not a transformers checkpoint (no config.json)")
        self.name = f"hf:{self.path}"
        self.max_concurrency = (args or HFArgs()).max_concurrency
        self._torch = torch
        self._tok = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = AutoModelForCausalLM.from_pretrained(self.path, local_files_only=True)
        self._model.eval()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hf")
        self._lock = asyncio.Lock()

    def _prompt_ids(self, request: ChatRequest) -> Any:
        messages = request.message_dicts()
        if getattr(self._tok, "chat_template", None):
            encoded = self._tok.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            return encoded["input_ids"]
        # Checkpoints without a chat template get a plain transcript ending on the assistant turn.
        text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"
        return self._tok(text, return_tensors="pt").input_ids

    def _generate(self, request: ChatRequest) -> ChatResponse:
        start = time.perf_counter()
        cfg = request.config
        ids = self._prompt_ids(request)
        if cfg.seed is not None:
            self._torch.manual_seed(cfg.seed)
        kwargs: dict[str, Any] = {"max_new_tokens": cfg.max_tokens, "do_sample": cfg.temperature > 0}
        if cfg.temperature > 0:
            kwargs["temperature"] = cfg.temperature
        pad = self._tok.pad_token_id if self._tok.pad_token_id is not None else self._tok.eos_token_id
        with self._torch.no_grad():
            out = self._model.generate(ids, attention_mask=self._torch.ones_like(ids), pad_token_id=pad, **kwargs)
        new = out[0, ids.shape[1] :]
        text = self._tok.decode(new, skip_special_tokens=True)
        for s in cfg.stop:
            text = text.split(s, 1)[0]
        finish = "length" if len(new) >= cfg.max_tokens else "stop"
        return ChatResponse(
            text=text,
            finish_reason=finish,
            usage=Usage(int(ids.shape[1]), len(new)),
            latency_s=time.perf_counter() - start,
        )

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Generate on the worker thread."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._generate, request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        """Yield the whole generation as one piece (token streaming is not needed for local checks)."""
        yield (await self.chat(request)).text

    async def aclose(self) -> None:
        """Stop the worker thread."""
        self._executor.shutdown(wait=False)
