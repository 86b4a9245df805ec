/** Wall-clock time. Injected so that expiry, throttling and scaling rules can be tested with a fake clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. Never decreases within one process for the system adapter. */
  now(): number;
}
