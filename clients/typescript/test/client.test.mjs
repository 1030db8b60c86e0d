// The client's Node test (`npm test` = node --test test/), run by `make test` through
// contract-tests/run.py against the API it serves on loopback (SILVERSTAR_API_URL).
// 1. tsc --noEmit in strict mode over the client (libs/) and the journeys (journey.ts, sessions.ts).
// 2. `npm run build`: dist/ holds ESM JavaScript and .d.ts, and the package imports by its name
//    through its `exports` map (a self-reference, as a project depending on it would).
// 3. The journeys, compiled to a temporary folder, against the live API. This file starts
//    nothing: without SILVERSTAR_API_URL they are skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const baseUrl = process.env.SILVERSTAR_API_URL;

function runTsc(args) {
  return spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

test('tsc --noEmit (strict) accepts the generated client, libs/api.ts and the journeys', () => {
  const result = runTsc(['--noEmit']);
  assert.equal(result.status, 0, `tsc reported errors:\n${result.stdout}${result.stderr}`);
});

test('npm run build emits ESM JavaScript and .d.ts that import by the package name', async () => {
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  assert.equal(built.status, 0, `the build failed:\n${built.stdout}${built.stderr}`);
  for (const file of ['api.js', 'api.d.ts', 'chat.js', 'session.js', 'problem.d.ts']) {
    assert.ok(existsSync(join(root, 'dist', file)), `dist/${file}`);
  }
  assert.match(readFileSync(join(root, 'dist', 'api.js'), 'utf8'), /^export \{ ApiProblem/m);
  const client = await import('@silverstar/api-client');
  assert.equal(typeof client.createSilverStarClient, 'function');
  assert.equal(typeof client.chatStream, 'function');
  assert.equal(new client.ApiProblem({ type: 'about:blank', title: 'T', status: 409 }).status, 409);
});

test('the event-stream reader splits events across chunk boundaries, CRLF and comments', async () => {
  const { readEvents } = await import('@silverstar/api-client');
  const wire = ': ping\r\nevent: token\r\ndata: {"text":"Hel"}\r\n\r\nevent: token\ndata: {"text":"lo"}\n\nevent: done\ndata: {"a":\r\ndata: 1}\n\n';
  const encoder = new TextEncoder();
  // Cut after a CR (inside a CRLF, twice: between a comment and a field, and between two
  // data lines of one event), mid-field and mid-JSON.
  const inData = wire.indexOf('{"a":\r') + 6;
  const cuts = [7, 9, 40, 41, inData, wire.length];
  const chunks = cuts.map((end, n) => wire.slice(n === 0 ? 0 : cuts[n - 1], end));
  assert.equal(wire[6], '\r');
  assert.equal(wire[inData - 1], '\r');
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const events = [];
  for await (const event of readEvents(body)) events.push(event);
  assert.deepEqual(events, [
    { event: 'token', data: '{"text":"Hel"}' },
    { event: 'token', data: '{"text":"lo"}' },
    { event: 'done', data: '{"a":\n1}' },
  ]);
});

const skip = baseUrl ? false : 'SILVERSTAR_API_URL is not set (make test sets it)';

test('journeys against the live API', { skip }, async (t) => {
  // Emit only (the test above does the checking) to a temporary folder, then load the journeys.
  const outDir = mkdtempSync(join(tmpdir(), 'silverstar-client-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const emitted = runTsc(['--noEmit', 'false', '--noCheck', '--outDir', outDir]);
  assert.equal(emitted.status, 0, `tsc could not emit:\n${emitted.stdout}${emitted.stderr}`);
  writeFileSync(join(outDir, 'package.json'), '{"type": "module"}\n');
  const journeys = await import(pathToFileURL(join(outDir, 'test', 'journey.js')).href);

  let bookable;
  await t.test('admin: log in, read the masked Twilio settings, set up a doctor and a service', async (t) => {
    bookable = await journeys.adminJourney(t, baseUrl);
  });
  await t.test('patient: register, login, me, catalog, availability, book, list, cancel', (t) =>
    journeys.patientJourney(t, baseUrl, bookable),
  );
  const sessions = await import(pathToFileURL(join(outDir, 'test', 'sessions.js')).href);
  await t.test('session: refresh after expiry, chat and its stream, typed errors, logout', (t) =>
    sessions.sessionJourney(t, baseUrl),
  );
});
