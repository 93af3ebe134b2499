/**
 * The environment of a process a test starts: PATH and the given variables, nothing else, so the
 * developer's settings never leak in. While `bench/test-processes.ts` measures the suite
 * (TEST_PROCESS_LOG set), NODE_OPTIONS and TEST_PROCESS_LOG pass too, so that every Node process
 * the tests start logs its CPU at exit.
 */
export function childEnv(vars: Record<string, string> = {}): Record<string, string> {
  const log = process.env.TEST_PROCESS_LOG;
  const measured: Record<string, string> = log ? { TEST_PROCESS_LOG: log, NODE_OPTIONS: process.env.NODE_OPTIONS ?? "" } : {};
  return { PATH: process.env.PATH ?? "", ...measured, ...vars };
}
