import { defineConfig } from 'vitest/config';

// `npm run test:soak`: the fault suite's full matrix (test/faults) with FAULTS_SOAK=1: kill -9 at
// every step of install, update and uninstall, more control-plane restarts, one-minute outages, more
// Docker and disk cases. `npm test` runs the same files with a representative subset.
export default defineConfig({
  test: {
    name: 'soak',
    include: ['test/faults/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
    env: { FAULTS_SOAK: '1' },
  },
});
