/**
 * The Energi Data Service's rate limit as the client sees it. Since 2025 the service accepts about
 * one request per dataset per minute per IP and answers 429 with `Retry-After`. The client learns
 * the spacing from the first 429 of a dataset and then paces its later requests to that dataset,
 * so a many-page extract costs one rejected request instead of one per page.
 */

/** What is known of one dataset's limit. */
interface DatasetPace {
  /** When the last request that the service accepted was sent (ms, the limiter's clock). */
  lastAcceptedAt?: number;
  /** Learned minimum time between two accepted requests. */
  spacingMs?: number;
}

/** Per-dataset pacing of one source (one process: the limit is per IP, the state per run). */
export class RequestPacer {
  private readonly paces = new Map<string, DatasetPace>();

  /** `now` is a monotonic clock in ms (injected in tests). */
  constructor(private readonly now: () => number) {}

  /** Milliseconds to wait before the next request to `dataset`; 0 when nothing is known or the spacing has passed. */
  waitBefore(dataset: string): number {
    const p = this.paces.get(dataset);
    if (p?.lastAcceptedAt === undefined || p.spacingMs === undefined) return 0;
    return Math.max(0, Math.ceil(p.lastAcceptedAt + p.spacingMs - this.now()));
  }

  /** A request sent at `sentAt` was answered (not rate-limited). */
  accepted(dataset: string, sentAt: number): void {
    this.pace(dataset).lastAcceptedAt = sentAt;
  }

  /**
   * A 429 arrived now and asks to wait `retryAfterMs`: the next request may go at now + wait, so
   * accepted requests must be at least that far from the last accepted one. The largest spacing
   * seen is kept (the limit only gets tighter within a run).
   */
  limited(dataset: string, retryAfterMs: number): void {
    const p = this.pace(dataset);
    if (p.lastAcceptedAt === undefined) return;
    const spacing = this.now() + retryAfterMs - p.lastAcceptedAt;
    p.spacingMs = Math.max(p.spacingMs ?? 0, spacing);
  }

  /** The learned spacing of a dataset, if any. */
  spacing(dataset: string): number | undefined {
    return this.paces.get(dataset)?.spacingMs;
  }

  private pace(dataset: string): DatasetPace {
    let p = this.paces.get(dataset);
    if (!p) this.paces.set(dataset, (p = {}));
    return p;
  }
}

/** `1 s`, `0.5 s`, `61 s`: seconds for messages, at most one decimal. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
