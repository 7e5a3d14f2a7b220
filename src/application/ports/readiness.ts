/** A dependency that /readyz asks: it resolves when the dependency answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /**
   * Reported but not required (default false): the service serves its requests without it, so
   * being down does not make the replica unready. Kafka is such a dependency — events wait in the
   * transactional outbox — and, being shared, a gating check on it would take every replica out of
   * the router at once when the broker restarts (the topology harness saw exactly that: 503 for
   * every payment request for the ~20 s of a broker restart).
   */
  optional?: boolean;
}
