/**
 * A patient's session and the assistant through the client, against the live API (whose
 * access tokens last seconds here): sign-in, the refresh after expiry (once for parallel
 * calls), chat and its stream with sources, typed errors carrying the request id, logout.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';

import {
  ApiProblem,
  createSilverStarClient,
  getCurrentUser,
  listServices,
  registerPatient,
  type ChatStreamDone,
  type ChatStreamEvent,
  type SessionEndReason,
  type SessionTokens,
} from '../libs/api.js';

const QUESTION = 'When is the clinic open?';

/** fetch, counting the requests per path (to see refreshes and that nothing is resent). */
function countingFetch(): { fetch: typeof fetch; calls: (path: string) => number } {
  const counts = new Map<string, number>();
  return {
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      return globalThis.fetch(request);
    },
    calls: (path) => counts.get(path) ?? 0,
  };
}

function assertCarriesRequestId(problem: ApiProblem, status: number): void {
  assert.equal(problem.status, status);
  assert.match(problem.requestId ?? '', /^[\w-]{8,}$/, 'the X-Request-ID of the answer');
  assert.equal(problem.problem.status, status, 'the problem body as sent');
}

export async function sessionJourney(t: TestContext, baseUrl: string): Promise<void> {
  const ended: SessionEndReason[] = [];
  const saved: Array<SessionTokens | null> = [];
  const counting = countingFetch();
  const api = createSilverStarClient({
    baseUrl,
    fetch: counting.fetch,
    onTokens: (tokens) => saved.push(tokens),
    onSessionEnd: (reason) => ended.push(reason),
  });
  const email = `ts-session-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  let expiresIn = 0;

  await t.test('register and sign in: the session holds an access and a refresh token', async () => {
    const registered = await api.session.register({ email, password, name: 'TS Session Patient' });
    assert.equal(registered.user.email, email);
    const signedIn = await api.session.login({ email, password });
    expiresIn = signedIn.expires_in;
    assert.ok(expiresIn > 0 && expiresIn <= 10, `a short access token on this server (${expiresIn} s)`);
    assert.equal(api.session.tokens?.refreshToken, signedIn.refresh_token);
    assert.equal(saved.length, 2);
  });

  await t.test('after the access token expired, parallel calls refresh it once and succeed', async () => {
    const before = api.session.tokens;
    await sleep((expiresIn + 1) * 1000);
    const results = await Promise.all([
      getCurrentUser({ client: api }),
      getCurrentUser({ client: api }),
      listServices({ client: api, query: { limit: 5 } }),
    ]);
    for (const result of results) assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.equal(counting.calls('/auth/refresh'), 1, 'single-flight: one refresh for three calls');
    assert.notEqual(api.session.tokens?.accessToken, before?.accessToken);
    assert.notEqual(api.session.tokens?.refreshToken, before?.refreshToken);
    assert.deepEqual(ended, []);
  });

  await t.test('chat answers with sources', async () => {
    const answer = await api.chat.send({ message: QUESTION });
    assert.ok(answer.reply.length > 0);
    assert.ok(answer.sources.length > 0, 'the answer cites the clinic documents');
  });

  await t.test('chat.stream yields typed token events, then done with sources', async () => {
    const events: ChatStreamEvent[] = [];
    for await (const event of api.chat.stream({ message: QUESTION })) events.push(event);
    const tokens = events.filter((e) => e.event === 'token');
    assert.ok(tokens.length > 0, 'the answer arrives in pieces');
    const text = tokens.map((e) => (e.event === 'token' ? e.data.text : '')).join('');
    assert.ok(text.length > 0);
    const last = events.at(-1);
    assert.equal(last?.event, 'done');
    const done: ChatStreamDone = last.data;
    assert.ok(done.sources.length > 0, 'done carries the sources');
    assert.match(done.conversationId, /^[0-9a-f-]{36}$/);
  });

  await t.test('a 409 is an ApiProblem with the body and the request id', async () => {
    const { error, response } = await registerPatient({ client: api, body: { email, password, name: 'Again' } });
    assert.ok(error instanceof ApiProblem);
    assertCarriesRequestId(error, 409);
    assert.equal(error.requestId, response.headers.get('X-Request-ID'));
  });

  await t.test('logout ends the session: the hook is told, and the old tokens are refused', async () => {
    const old = api.session.tokens;
    assert.ok(old);
    await api.session.logout();
    assert.deepEqual(ended, ['logout']);
    assert.equal(api.session.tokens, null);
    const refused: string[] = [];
    const staleEnded = createSilverStarClient({ baseUrl, session: old, onSessionEnd: (r) => refused.push(r) });
    const { error } = await getCurrentUser({ client: staleEnded });
    assert.ok(error instanceof ApiProblem);
    assertCarriesRequestId(error, 401);
    assert.deepEqual(refused, ['refused'], 'the refresh was refused: the session is over');
  });

  await t.test('a 401 on the stream is a typed error, sent once and not retried', async () => {
    const before = counting.calls('/ai/chat/stream');
    await assert.rejects(
      async () => {
        for await (const event of api.chat.stream({ message: QUESTION })) assert.fail(`unexpected ${event.event}`);
      },
      (error: unknown) => {
        assert.ok(error instanceof ApiProblem);
        assertCarriesRequestId(error, 401);
        return true;
      },
    );
    assert.equal(counting.calls('/ai/chat/stream') - before, 1);
  });
}
