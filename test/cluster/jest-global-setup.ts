// Names this jest run, so test/cluster/environment.ts can record which tiers the run
// started and the global teardown stops exactly those. Workers inherit the variable.
export default function globalSetup(): void {
  process.env.MILLRACE_TEST_RUN_ID ??= `${process.pid}-${Date.now()}`;
}
