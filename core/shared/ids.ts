/** Source of unique identifiers. */
export interface IdGenerator {
  /** A new identifier, unique across processes and restarts (a random UUID for the system adapter). */
  next(): string;
}
