import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Specs and examples import the package by its public name, as users do; during
// development that name resolves to the sources, not to a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^macho\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^macho\/testing\/core$/, replacement: fileURLToPath(new URL('./src/testing/core.ts', import.meta.url)) },
      { find: /^macho$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
