import type { Logger } from '../services/ports/index.js';

/**
 * Runs `sweep` again at once while it finds work, else every `pollMs`, or sooner when woken (a request was just
 * submitted in this process). Requests submitted elsewhere (another process, before a restart) are found by the poll.
 */
export class SweepLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pending = false;

  constructor(
    private readonly sweep: () => Promise<number>,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.pending = false;
        if ((await this.sweep()) > 0) continue;
      } catch (error) {
        this.logger.error({ err: error }, 'request sweep failed; retrying at the next poll');
      }
      if (!this.pending)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      this.wakeUp = undefined;
    }
  }
}
