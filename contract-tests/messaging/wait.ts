/**
 * Polls `predicate` until it holds or `timeoutMs` passes. Asynchronous delivery is awaited this way,
 * never with fixed sleeps, so the suites stay fast on an idle machine and pass on a loaded one.
 */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, description = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await delay(10);
  }
}

/** Lets time pass. Only for checking that something does NOT happen within a period. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
