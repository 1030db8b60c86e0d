/**
 * SilverStar API client: the entry point a frontend imports.
 *
 * Everything under ./generated/ is produced from api-contract/openapi.yaml by `make regen`
 * (a type for every schema, and one function per operation named by its operationId);
 * this file only adds what the contract cannot say: where the API is, the session (sign-in,
 * automatic refresh, logout), the assistant's stream as typed events, and that every error
 * is a typed RFC 9457 problem carrying the request id.
 *
 *   const api = createSilverStarClient({ baseUrl, onSessionEnd: () => showSignIn() });
 *   await api.session.login({ email, password });
 *   const { data, error } = await listDoctors({ client: api, query: { limit: 50 } });
 *   if (error) showProblem(error);          // error: ApiProblem (a Problem and an Error)
 *   for await (const ev of api.chat.stream({ message: 'When are you open?' })) { ... }
 */
import { streamChat, type ChatStreamEvent, type ChatStreamOptions } from './chat.js';
import { createClient, createConfig, type Auth, type Client } from './generated/client/index.js';
import { client as defaultClient } from './generated/client.gen.js';
import { chat as sendChat } from './generated/sdk.gen.js';
import type { ChatRequest, ChatResponse } from './generated/types.gen.js';
import { toApiProblem } from './problem.js';
import { Session, sessionFetch, type SessionHooks, type SessionTokens } from './session.js';

export * from './generated/index.js';
export type { Auth, Client, Config, RequestResult } from './generated/client/index.js';
export { ApiProblem, isProblem, problemOf, REQUEST_ID_HEADER, toApiProblem } from './problem.js';
export { Session, sessionFetch, type SessionEndReason, type SessionHooks, type SessionTokens } from './session.js';
export { readEvents, streamChat, type ChatStreamEvent, type ChatStreamOptions } from './chat.js';

/**
 * Returns the current access token, or nothing when signed out. For apps that keep tokens
 * themselves; without it the client's own `session` holds them and refreshes them.
 */
export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

export interface SilverStarClientOptions extends SessionHooks {
  /** Where the API is served, e.g. "https://api.clinic.example" or "http://127.0.0.1:8000". */
  baseUrl: string;
  /** A token source of one's own: then the client neither refreshes nor ends sessions itself. */
  token?: TokenProvider;
  /** A saved session to resume (see `onTokens`). */
  session?: SessionTokens | null;
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface ChatApi {
  /** The whole answer at once (`POST /ai/chat`); throws ApiProblem. */
  send(body: ChatRequest): Promise<ChatResponse>;
  /** The answer as typed events (`POST /ai/chat/stream`), sent once, never retried. */
  stream(body: ChatRequest, options?: ChatStreamOptions): AsyncGenerator<ChatStreamEvent, void, undefined>;
}

/** The generated client, plus the session it signs requests with and the assistant. */
export type SilverStarClient = Client & { session: Session; chat: ChatApi };

/** The bearer token for the operations that declare `bearerAuth`; nothing for other schemes. */
function authCallback(token: TokenProvider) {
  return async (auth: Auth): Promise<string | undefined> =>
    auth.scheme === 'bearer' ? ((await token()) ?? undefined) : undefined;
}

function install(client: Client, options: SilverStarClientOptions): SilverStarClient {
  const session = new Session(client, options, options.session ?? null);
  const base = options.fetch ?? globalThis.fetch.bind(globalThis);
  client.setConfig({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    auth: authCallback(options.token ?? (() => session.accessToken)),
    fetch: options.token ? base : sessionFetch(base, session),
  });
  client.interceptors.error.use((error, response) => toApiProblem(error, response));
  const chat: ChatApi = {
    send: async (body) => unwrap(await sendChat({ client, body })),
    stream: (body, streamOptions) => streamChat(client, body, streamOptions),
  };
  return Object.assign(client, { session, chat });
}

/** A new client; pass it to any operation as `{ client }`. */
export function createSilverStarClient(options: SilverStarClientOptions): SilverStarClient {
  return install(createClient(createConfig()), options);
}

/**
 * Configures the shared default client, which operations use when no `client` is passed.
 * Call once at start-up.
 */
export function configureSilverStarClient(options: SilverStarClientOptions): SilverStarClient {
  return install(defaultClient, options);
}

/**
 * The assistant's stream on a client made by `createSilverStarClient` (or any generated client):
 * replaces the generated `chatStream`, whose items are not the `{event, data}` its types say
 * and which re-sends the POST when the stream breaks.
 */
export function chatStream(options: {
  client?: Client;
  body: ChatRequest;
  signal?: AbortSignal;
}): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const streamOptions: ChatStreamOptions = options.signal ? { signal: options.signal } : {};
  return streamChat(options.client ?? defaultClient, options.body, streamOptions);
}

/** The data of a successful result, or throws its ApiProblem. */
export function unwrap<T>(result: { data: T; error: undefined } | { data: undefined; error: unknown }): T {
  if (result.error !== undefined) throw toApiProblem(result.error);
  return result.data as T;
}
