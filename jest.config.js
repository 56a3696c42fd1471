// Unit tests live beside the code they prove (`*.test.ts`); tests that cross a process,
// the Kubernetes API or S3 live under test/. `npm test` runs both.
import { availableParallelism } from 'node:os';

export default {
  testEnvironment: 'node',
  // Files whose pods run on the local cluster's node run one at a time, the other cluster files one
  // at a time beside them, and everything else beside both in maxWorkers workers
  // (test/support/lane-runner.cjs).
  runner: '<rootDir>/test/support/lane-runner.cjs',
  maxWorkers: Math.max(2, availableParallelism()),
  // Jest's 5 s default is a wall-clock limit that an in-process job of a few seconds passes alone
  // and misses when three lanes share 2 cores; tests that need longer still set their own.
  testTimeout: 30_000,
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/strip-types-transform.cjs' },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/bench/flink/'],
  modulePathIgnorePatterns: ['<rootDir>/bench/flink/'],
  watchman: false,
  // Stops the local cluster tiers a run started (test/cluster/environment.ts), nothing else.
  globalSetup: '<rootDir>/test/cluster/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/jest-global-teardown.ts',
};
