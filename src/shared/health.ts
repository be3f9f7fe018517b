/** What every adapter's `health()` answers (bus, event store, state store): read by `/readyz`. */
export interface HealthStatus {
  ok: boolean;
  detail?: string;
}
