/**
 * SilverStar API client: the entry point a frontend imports.
 *
 * Everything under ./generated/ is produced from api-contract/openapi.yaml by `make regen`
 * (a type for every schema, and one function per operation named by its operationId);
 * this file only adds what the contract cannot say: where the API is, where the token
 * comes from, and that every error is a typed RFC 9457 problem.
 *
 *   const api = createSilverStarClient({ baseUrl, token: () => session.accessToken });
 *   const { data, error } = await listDoctors({ client: api, query: { limit: 50 } });
 *   if (error) showProblem(error);          // error: ApiProblem (a Problem and an Error)
 *   const me = unwrap(await getCurrentUser({ client: api }));   // throws ApiProblem
 */
import { createClient, createConfig, type Auth, type Client } from './generated/client/index.js';
import { client as defaultClient } from './generated/client.gen.js';
import type { Problem, ValidationErrorItem } from './generated/types.gen.js';

export * from './generated/index.js';
export type { Auth, Client, Config, RequestResult } from './generated/client/index.js';

/**
 * Returns the current access token, or nothing when signed out (the request then goes
 * without `Authorization` and a secured operation answers a 401 problem). Called before
 * every secured request, so a refreshed or cleared token takes effect at once.
 */
export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

export interface SilverStarClientOptions {
  /** Where the API is served, e.g. "https://api.clinic.example" or "http://127.0.0.1:8000". */
  baseUrl: string;
  /** The bearer token source for operations secured by `bearerAuth`. */
  token?: TokenProvider;
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

/**
 * An error answer of the API as an `Error` that also is the contract's `Problem`
 * (`type`, `title`, `status`, `detail`, `errors` for 422, `allowed` for 409, extensions).
 * Answers that are not problem+json (a proxy's HTML page, a network failure) are mapped to
 * one too: `status` is the HTTP status, or 0 when no response arrived.
 */
export class ApiProblem extends Error implements Problem {
  [key: string]: unknown;
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<ValidationErrorItem>;
  allowed?: Array<string>;

  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(problem.detail ?? problem.title, options);
    Object.assign(this, problem);
    this.name = 'ApiProblem';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
  }
}

/** True for a value shaped like an RFC 9457 problem (as the API sends them). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['type'] === 'string' && typeof v['title'] === 'string' && typeof v['status'] === 'number';
}

/** Maps whatever a failed request produced onto an ApiProblem. */
export function toApiProblem(error: unknown, response?: Response): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (isProblem(error)) return new ApiProblem(error);
  if (response === undefined) {
    const detail = error instanceof Error ? error.message : String(error);
    return new ApiProblem({ type: 'about:blank', title: 'Network error', status: 0, detail }, { cause: error });
  }
  const problem: Problem = {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
  if (typeof error === 'string' && error !== '') problem.detail = error.slice(0, 1000);
  return new ApiProblem(problem);
}

/** The bearer token for the operations that declare `bearerAuth`; nothing for other schemes. */
function authCallback(token: TokenProvider | undefined) {
  return async (auth: Auth): Promise<string | undefined> =>
    auth.scheme === 'bearer' && token ? ((await token()) ?? undefined) : undefined;
}

function install(client: Client, options: SilverStarClientOptions): Client {
  client.setConfig({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    auth: authCallback(options.token),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.interceptors.error.use((error, response) => toApiProblem(error, response));
  return client;
}

/** A new client; pass it to any operation as `{ client }`. */
export function createSilverStarClient(options: SilverStarClientOptions): Client {
  return install(createClient(createConfig()), options);
}

/**
 * Configures the shared default client, which operations use when no `client` is passed.
 * Call once at start-up (calling it again adds its error mapping again; harmless).
 */
export function configureSilverStarClient(options: SilverStarClientOptions): Client {
  return install(defaultClient, options);
}

/** The data of a successful result, or throws its ApiProblem. */
export function unwrap<T>(result: { data: T; error: undefined } | { data: undefined; error: unknown }): T {
  if (result.error !== undefined) throw toApiProblem(result.error);
  return result.data as T;
}
