/**
 * The simulator's time axis. Every delay of the field network (frame transmission, hop latency, response
 * timeout, back-off) is a `sleep` in simulated milliseconds, and every meter-side instant (register readings,
 * `completedAt`) is `now()` in simulated epoch milliseconds. Two implementations:
 * - `acceleratedScheduler`: real timers, `timeScale` times faster than the wall clock (1 = real time);
 * - `VirtualScheduler`: a discrete-event clock with no real waiting, for tests, benchmarks and instant demos.
 */
export interface Scheduler {
  /** Simulated time, epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` simulated milliseconds (≥ 0). */
  sleep(ms: number): Promise<void>;
}

/**
 * Real timers, accelerated: simulated time runs `timeScale` times faster than the wall clock, starting at
 * `startMs` (default: the wall clock at creation), so a 10 s retry cycle takes 10 ms at `timeScale` 1000.
 * A zero delay yields to the event loop (setImmediate) so that concentrators still interleave.
 */
export function acceleratedScheduler(options: { timeScale: number; startMs?: number }): Scheduler {
  const { timeScale } = options;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new Error(
      `timeScale must be a finite number > 0 for real timers (use VirtualScheduler for zero delays), got ${timeScale}`,
    );
  }
  const startMs = options.startMs ?? Date.now();
  const realStart = performance.now();
  return {
    now: () => startMs + (performance.now() - realStart) * timeScale,
    sleep: (ms) => {
      assertDelay(ms);
      return new Promise((resolve) => {
        if (ms === 0) setImmediate(resolve);
        else setTimeout(resolve, ms / timeScale);
      });
    },
  };
}

interface Timer {
  /** Elapsed ms since the scheduler's start. */
  dueMs: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  sequence: number;
  resolve: () => void;
}

/**
 * A discrete-event clock: `sleep` registers a timer and time jumps from one due timer to the next, with no real
 * waiting. Before each jump every promise continuation of the previous one has run (one macrotask turn), so the
 * timers those continuations set are seen. The result is deterministic for code that waits only on this scheduler.
 *
 * `autoAdvance` (default true) runs the clock by itself whenever a timer is pending; with `autoAdvance: false`
 * time moves only through `advance(ms)`, which lets a test look at the network between two instants.
 */
export class VirtualScheduler implements Scheduler {
  readonly #startMs: number;
  /** Kept relative to the start: small numbers keep sub-millisecond delays exact (epoch ms have ~0.2 µs steps). */
  #elapsedMs = 0;
  readonly #autoAdvance: boolean;
  #timers: Timer[] = [];
  #sequence = 0;
  #drainScheduled = false;

  constructor(options: { startMs: number; autoAdvance?: boolean }) {
    this.#startMs = options.startMs;
    this.#autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.#startMs + this.#elapsedMs;
  }

  sleep(ms: number): Promise<void> {
    assertDelay(ms);
    return new Promise((resolve) => {
      this.#timers.push({ dueMs: this.#elapsedMs + ms, sequence: this.#sequence++, resolve });
      if (this.#autoAdvance) this.#scheduleDrain();
    });
  }

  /** Timers set and not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves the clock `ms` forward, firing every timer due on the way in order, then settles. */
  async advance(ms: number): Promise<void> {
    assertDelay(ms);
    const targetMs = this.#elapsedMs + ms;
    await settle();
    while (this.#nextDueMs() <= targetMs) {
      this.#fireNext();
      await settle();
    }
    this.#elapsedMs = Math.max(this.#elapsedMs, targetMs);
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      if (this.#timers.length === 0) return;
      this.#fireNext();
      if (this.#timers.length > 0) this.#scheduleDrain();
    });
  }

  #nextDueMs(): number {
    let next = Infinity;
    for (const timer of this.#timers) if (timer.dueMs < next) next = timer.dueMs;
    return next;
  }

  /** Fires every timer due at the earliest instant (concentrators in lockstep share one jump). */
  #fireNext(): void {
    const dueMs = this.#nextDueMs();
    const due = this.#timers.filter((t) => t.dueMs === dueMs).sort((a, b) => a.sequence - b.sequence);
    this.#timers = this.#timers.filter((t) => t.dueMs !== dueMs);
    this.#elapsedMs = Math.max(this.#elapsedMs, dueMs);
    for (const timer of due) timer.resolve();
  }
}

/** One macrotask turn: every microtask (promise continuation) queued so far has run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function assertDelay(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`a delay must be a finite number of ms ≥ 0, got ${ms}`);
}
