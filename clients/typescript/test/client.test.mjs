// The client's Node test (`npm test` = node --test test/), run by `make test` through
// contract-tests/run.py against the API it serves on loopback (SILVERSTAR_API_URL).
// 1. tsc --noEmit in strict mode over the client (libs/) and the journeys (journey.ts).
// 2. The journeys, compiled to a temporary folder, against the live API. This file starts
//    nothing: without SILVERSTAR_API_URL they are skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
