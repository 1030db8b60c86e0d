/**
 * The assistant's answer as it is written: `POST /ai/chat/stream` read as server-sent events
 * and yielded as typed events. Sent once: a stream that breaks off is an error for the caller
 * to handle, never a silent retry (which would ask, and pay for, the same question again).
 */
import type { Client } from './generated/client/index.js';
import type { ChatRequest, ChatStreamDone, ChatStreamToken } from './generated/types.gen.js';
import { ApiProblem, isProblem, problemOf, REQUEST_ID_HEADER } from './problem.js';

export type ChatStreamEvent =
  | { event: 'token'; data: ChatStreamToken }
  | { event: 'done'; data: ChatStreamDone }
  | { event: 'error'; data: ApiProblem };

export interface ChatStreamOptions {
  signal?: AbortSignal;
}

interface RawEvent {
  event: string;
  data: string;
}

/** Splits a text/event-stream body into events (the fields this API sends: event, data). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A trailing CR may be the first half of a CRLF split across chunks: wait for the next.
      const held = !done && buffer.endsWith('\r') ? '\r' : '';
      const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
      buffer = done ? '' : (lines.pop() ?? '') + held;
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event, data: data.join('\n') };
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

async function bearerToken(client: Client): Promise<string | undefined> {
  const auth = client.getConfig().auth;
  const token = typeof auth === 'function' ? await auth({ scheme: 'bearer', type: 'http' }) : auth;
  return token ?? undefined;
}

function cutShort(requestId: string | null, cause?: unknown): ApiProblem {
  const problem = {
    type: 'about:blank',
    title: 'Stream ended early',
    status: 0,
    detail: 'The answer stream ended before its `done` event; it was not resent.',
  };
  return new ApiProblem(problem, { requestId, cause });
}

/**
 * Streams the assistant's answer: `token` events (text as it is written), then one `done`
 * (conversation, sources, log id, model) or one `error` (the problem, e.g. the model being
 * unavailable). A refused request throws its ApiProblem before any event; a stream cut short
 * throws one with status 0. Both carry the response's request id.
 */
export async function* streamChat(
  client: Client,
  body: ChatRequest,
  options: ChatStreamOptions = {},
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const config = client.getConfig();
  const headers = new Headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' });
  const token = await bearerToken(client);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const send = config.fetch ?? globalThis.fetch;
  const init: RequestInit = { method: 'POST', headers, body: JSON.stringify(body) };
  if (options.signal) init.signal = options.signal;
  let response: Response;
  try {
    response = await send(new Request(`${config.baseUrl ?? ''}/ai/chat/stream`, init));
  } catch (error) {
    throw new ApiProblem(
      { type: 'about:blank', title: 'Network error', status: 0, detail: String(error) },
      { cause: error },
    );
  }
  if (!response.ok || response.body === null) throw await problemOf(response);
  const requestId = response.headers.get(REQUEST_ID_HEADER);
  try {
    for await (const raw of readEvents(response.body)) {
      const data: unknown = JSON.parse(raw.data);
      if (raw.event === 'token') {
        yield { event: 'token', data: data as ChatStreamToken };
      } else if (raw.event === 'done') {
        yield { event: 'done', data: data as ChatStreamDone };
        return;
      } else if (raw.event === 'error') {
        const problem = isProblem(data) ? data : { type: 'about:blank', title: 'Stream error', status: 0 };
        yield { event: 'error', data: new ApiProblem(problem, { requestId }) };
        return;
      }
    }
  } catch (error) {
    if (error instanceof ApiProblem) throw error;
    throw cutShort(requestId, error);
  }
  throw cutShort(requestId);
}
