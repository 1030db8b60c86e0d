// Generates libs/generated/ from the contract. Run it through `make regen` (npm run generate);
// never edit libs/generated/ by hand: CI (make regen-check) fails when it is out of step.
import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  // make regen passes its CONTRACT here; run by hand, the repository's contract.
  input: process.env.SILVERSTAR_CONTRACT ?? '../../api-contract/openapi.yaml',
  output: {
    path: 'libs/generated',
    clean: true,
    tsConfigPath: 'tsconfig.json',
    // Explicit extensions: the output runs unbundled in Node (the test) and in any bundler.
    module: { extension: '.js' },
    header: [
      '// This file is generated from api-contract/openapi.yaml by @hey-api/openapi-ts',
      '// (clients/typescript/openapi-ts.config.ts). Do not edit; run `make regen`.',
    ],
  },
  plugins: [
    // Self-contained fetch client, bundled into libs/generated/client and core (no runtime dependency).
    '@hey-api/client-fetch',
    // A type for every schema, plus <Operation>Data / Responses / Errors per operation.
    '@hey-api/typescript',
    // One function per operation, named by operationId (registerPatient, login, ...).
    '@hey-api/sdk',
  ],
  // Errors go to the terminal only (no log files in the work tree).
  logs: { level: 'warn', file: false },
});
