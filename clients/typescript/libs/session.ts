/**
 * A signed-in session: the access token (minutes) and the one-time refresh token that renews it.
 *
 * The client's fetch goes through `sessionFetch`: a request that carried the session's access
 * token and got a 401 triggers one refresh (shared by every request that failed meanwhile:
 * single-flight) and is sent once more with the new token. A 401 means the server did not act
 * on the request, so sending it again cannot do anything twice. When the refresh token is
 * refused too, the session is over: the tokens are dropped and `onSessionEnd` is called.
 */
import type { Client } from './generated/client/index.js';
import { login, logout, refreshSession, registerPatient } from './generated/sdk.gen.js';
import type { LoginRequest, RegisterRequest, TokenResponse } from './generated/types.gen.js';
import { toApiProblem } from './problem.js';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

/** Why a session ended: the user logged out, or the server refused to renew it (expired, revoked). */
export type SessionEndReason = 'logout' | 'refused';

export interface SessionHooks {
  /** Called with the new tokens after sign-in and every refresh, and with null when they are dropped (to persist them). */
  onTokens?: (tokens: SessionTokens | null) => void;
  /** Called once when the session ends; show the sign-in screen. */
  onSessionEnd?: (reason: SessionEndReason) => void;
}

export class Session {
  #tokens: SessionTokens | null;
  #refreshing: Promise<string | undefined> | undefined;

  constructor(
    private readonly client: Client,
    private readonly hooks: SessionHooks = {},
    initial: SessionTokens | null = null,
  ) {
    this.#tokens = initial;
  }

  get tokens(): SessionTokens | null {
    return this.#tokens;
  }

  get accessToken(): string | undefined {
    return this.#tokens?.accessToken;
  }

  /** Keeps the tokens of a sign-in answer (login, register, refresh, password change). */
  adopt(answer: TokenResponse): TokenResponse {
    this.#set({ accessToken: answer.access_token, refreshToken: answer.refresh_token });
    return answer;
  }

  async login(body: LoginRequest): Promise<TokenResponse> {
    return this.adopt(await this.#call(login({ client: this.client, body })));
  }

  async register(body: RegisterRequest): Promise<TokenResponse> {
    return this.adopt(await this.#call(registerPatient({ client: this.client, body })));
  }

  /** Ends the session on the server, then here (the hook says 'logout'). */
  async logout(): Promise<void> {
    if (this.#tokens === null) return;
    try {
      await this.#call(logout({ client: this.client }));
    } catch (error) {
      // A session the server has already ended (401) is as good as logged out.
      if (toApiProblem(error).status !== 401) throw error;
    } finally {
      this.#end('logout');
    }
  }

  /**
   * A new access token for a request refused with `rejected`: the one already renewed by a
   * parallel request, the result of the refresh under way, or a refresh started now.
   * Undefined when there is no session or the server refused to renew it.
   */
  async renew(rejected: string): Promise<string | undefined> {
    const current = this.#tokens;
    if (current === null) return undefined;
    if (current.accessToken !== rejected) return current.accessToken;
    this.#refreshing ??= this.#refresh(current.refreshToken).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(refreshToken: string): Promise<string | undefined> {
    const { data, error } = await refreshSession({ client: this.client, body: { refresh_token: refreshToken } });
    if (data !== undefined) return this.adopt(data).access_token;
    const problem = toApiProblem(error);
    // 401: spent, expired or revoked. Anything else (offline, 503) leaves the session as it is.
    if (problem.status === 401 && this.#tokens?.refreshToken === refreshToken) this.#end('refused');
    return undefined;
  }

  async #call<T>(pending: Promise<{ data: T; error: undefined } | { data: undefined; error: unknown }>): Promise<T> {
    const result = await pending;
    if (result.error !== undefined) throw toApiProblem(result.error);
    return result.data as T;
  }

  #set(tokens: SessionTokens | null): void {
    this.#tokens = tokens;
    this.hooks.onTokens?.(tokens);
  }

  #end(reason: SessionEndReason): void {
    if (this.#tokens === null) return;
    this.#set(null);
    this.hooks.onSessionEnd?.(reason);
  }
}

function bearerOf(request: Request): string | undefined {
  const match = /^Bearer (.+)$/i.exec(request.headers.get('Authorization') ?? '');
  return match?.[1];
}

/** `base`, plus one refresh-and-resend of a request whose session token was refused (401). */
export function sessionFetch(base: typeof fetch, session: Session): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const sent = bearerOf(request);
    const copy = sent !== undefined && sent === session.accessToken ? request.clone() : undefined;
    const response = await base(request);
    if (response.status !== 401 || copy === undefined || sent === undefined) return response;
    const renewed = await session.renew(sent);
    if (renewed === undefined) return response;
    await response.body?.cancel();
    const headers = new Headers(copy.headers);
    headers.set('Authorization', `Bearer ${renewed}`);
    return base(new Request(copy, { headers }));
  };
}
