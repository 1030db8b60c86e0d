"""Gemini text generation through google-genai: one client per process, timeout and retries.

Failures come out as three exceptions the assistant maps onto problems: `ModelUnavailable`
(no answer could be had: connection, timeout, rate limit after retries), `ModelFailed` (the
provider answered with an error or nothing usable) and `AnswerBlocked` (it withheld the
answer for safety). The API key only ever travels in the request header the SDK sets; no
message here includes it.
"""

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import httpx
from google import genai
from google.genai import errors, types

from kernel import metrics
from kernel.settings import Settings
from kernel.telemetry import span, tracer

log = logging.getLogger(__name__)

# Retried by the SDK (HttpRetryOptions); anything else fails at once.
RETRIED_STATUSES = [408, 429, 500, 502, 503, 504]
# After the retries, these mean "try later" (503) rather than "it broke" (502).
UNAVAILABLE_STATUSES = {408, 429, 503, 504}
BLOCKING_FINISH_REASONS = {
    types.FinishReason.SAFETY,
    types.FinishReason.RECITATION,
    types.FinishReason.BLOCKLIST,
    types.FinishReason.PROHIBITED_CONTENT,
    types.FinishReason.SPII,
    types.FinishReason.IMAGE_SAFETY,
}


class ModelError(Exception):
    """The model gave no usable answer; the message is safe to show and to log."""


class ModelUnavailable(ModelError):
    pass


class ModelFailed(ModelError):
    pass


class AnswerBlocked(ModelFailed):
    pass


@dataclass(frozen=True)
class Message:
    role: Literal["user", "model"]
    text: str


@dataclass(frozen=True)
class Generation:
    """A whole answer, or one streamed piece of it (usage arrives with the last piece)."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class GeminiChat:
    def __init__(self, settings: Settings, api_key: str) -> None:
        delay = settings.gemini_retry_initial_delay_seconds
        http_options = types.HttpOptions(
            timeout=int(settings.gemini_timeout_seconds * 1000),
            retry_options=types.HttpRetryOptions(
                attempts=settings.gemini_max_attempts,
                initial_delay=delay,
                max_delay=max(delay * 8, delay),
                jitter=delay,
                http_status_codes=RETRIED_STATUSES,
            ),
        )
        if settings.gemini_base_url:
            http_options.base_url = settings.gemini_base_url
            http_options.api_version = "v1beta"
        self._client = genai.Client(api_key=api_key, http_options=http_options)
        self._max_output_tokens = settings.gemini_max_output_tokens
        self.model = settings.gemini_model

    def _config(self, system: str) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=system,
            temperature=0.2,
            max_output_tokens=self._max_output_tokens,
        )

    @staticmethod
    def _contents(messages: Sequence[Message]) -> list[types.Content]:
        return [types.Content(role=m.role, parts=[types.Part(text=m.text)]) for m in messages]

    async def generate(self, system: str, messages: Sequence[Message]) -> Generation:
        with span("gemini.generate", model=self.model):
            try:
                response = await self._client.aio.models.generate_content(
                    model=self.model, contents=self._contents(messages), config=self._config(system)
                )
            except Exception as error:
                raise _model_error(error) from None
            piece = _piece(response)
            if not piece.text.strip():
                metrics.gemini_errors.labels("empty").inc()
                raise ModelFailed("The model returned an empty answer.")
            return piece

    async def stream(self, system: str, messages: Sequence[Message]) -> AsyncIterator[Generation]:
        # Not made current: a generator's context may be resumed from another one.
        streaming = tracer.start_span("gemini.stream", attributes={"model": self.model})
        produced = False
        try:
            chunks = await self._client.aio.models.generate_content_stream(
                model=self.model, contents=self._contents(messages), config=self._config(system)
            )
            async for response in chunks:
                piece = _piece(response)
                produced = produced or bool(piece.text)
                yield piece
        except ModelError:
            raise
        except Exception as error:
            raise _model_error(error) from None
        finally:
            streaming.end()
        if not produced:
            metrics.gemini_errors.labels("empty").inc()
            raise ModelFailed("The model returned an empty answer.")


def _piece(response: types.GenerateContentResponse) -> Generation:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise AnswerBlocked(f"The model declined the question ({_reason(feedback.block_reason)}).")
    candidate = response.candidates[0] if response.candidates else None
    if candidate is not None and candidate.finish_reason in BLOCKING_FINISH_REASONS:
        raise AnswerBlocked(f"The model withheld its answer ({_reason(candidate.finish_reason)}).")
    text = "".join(
        part.text
        for part in (candidate.content.parts or [] if candidate and candidate.content else [])
        if part.text and not part.thought
    )
    usage = response.usage_metadata
    return Generation(
        text=text,
        prompt_tokens=usage.prompt_token_count if usage else None,
        completion_tokens=usage.candidates_token_count if usage else None,
    )


def _reason(reason: Any) -> str:
    return str(getattr(reason, "value", reason)).lower()


def _model_error(error: Exception) -> ModelError:
    """Our exception for a failed call; its message never carries the request (nor the key)."""
    if isinstance(error, errors.APIError):
        log.warning("Gemini answered %s (%s)", error.code, error.status)
        if error.code in UNAVAILABLE_STATUSES:
            metrics.gemini_errors.labels("unavailable").inc()
            return ModelUnavailable(f"The model provider is unavailable (HTTP {error.code}).")
        metrics.gemini_errors.labels("failed").inc()
        return ModelFailed(f"The model provider failed (HTTP {error.code}).")
    if isinstance(error, (TimeoutError, aiohttp.ClientError, httpx.HTTPError, OSError)):
        log.warning("Gemini unreachable: %s", type(error).__name__)
        metrics.gemini_errors.labels("unavailable").inc()
        return ModelUnavailable("The model provider could not be reached.")
    log.error("Gemini call failed unexpectedly: %s", type(error).__name__)
    metrics.gemini_errors.labels("unexpected").inc()
    return ModelFailed("The model provider failed.")


def create_gemini_chat(settings: Settings) -> GeminiChat | None:
    """A client for these settings; None without GOOGLE_API_KEY."""
    if settings.google_api_key is None:
        return None
    return GeminiChat(settings, settings.google_api_key.get_secret_value())
