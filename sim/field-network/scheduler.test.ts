import { describe, expect, it } from 'vitest';
import { acceleratedScheduler, VirtualScheduler } from './scheduler.js';

const START_MS = Date.UTC(2026, 0, 12, 8, 0);

describe('VirtualScheduler', () => {
  it('jumps from one due timer to the next, firing timers due together in the order they were set', async () => {
    const scheduler = new VirtualScheduler({ startMs: START_MS });
    const fired: string[] = [];
    const at = (label: string, ms: number) =>
      scheduler.sleep(ms).then(() => fired.push(`${label}@${scheduler.now() - START_MS}`));
    await Promise.all([at('late', 300), at('first', 100), at('second', 100), at('zero', 0)]);
    expect(fired).toEqual(['zero@0', 'first@100', 'second@100', 'late@300']);
  });

  it('sees the timers set by the continuations of a fired timer before jumping again', async () => {
    const scheduler = new VirtualScheduler({ startMs: START_MS });
    const order: string[] = [];
    const chain = (async () => {
      await scheduler.sleep(10);
      await Promise.resolve();
      await scheduler.sleep(10);
      order.push(`chain@${scheduler.now() - START_MS}`);
    })();
    const other = scheduler.sleep(25).then(() => order.push(`other@${scheduler.now() - START_MS}`));
    await Promise.all([chain, other]);
    expect(order).toEqual(['chain@20', 'other@25']);
  });

  it('moves only through advance() when autoAdvance is off', async () => {
    const scheduler = new VirtualScheduler({ startMs: START_MS, autoAdvance: false });
    let fired = false;
    void scheduler.sleep(1000).then(() => (fired = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toBe(false);
    await scheduler.advance(999);
    expect(fired).toBe(false);
    await scheduler.advance(1);
    expect(fired).toBe(true);
    expect(scheduler.now()).toBe(START_MS + 1000);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('refuses a negative or non-finite delay', () => {
    const scheduler = new VirtualScheduler({ startMs: START_MS });
    expect(() => scheduler.sleep(-1)).toThrow(/delay/);
    expect(() => scheduler.sleep(Number.NaN)).toThrow(/delay/);
  });
});

describe('acceleratedScheduler', () => {
  it('runs simulated time timeScale times faster than the wall clock', async () => {
    const scheduler = acceleratedScheduler({ timeScale: 1000, startMs: START_MS });
    const realStart = performance.now();
    await scheduler.sleep(50_000);
    const realMs = performance.now() - realStart;
    expect(realMs).toBeGreaterThanOrEqual(45);
    expect(realMs).toBeLessThan(1000);
    expect(scheduler.now() - START_MS).toBeGreaterThanOrEqual(50_000 - 1000);
  });

  it('refuses a timeScale that real timers cannot honour', () => {
    expect(() => acceleratedScheduler({ timeScale: 0 })).toThrow(/timeScale/);
    expect(() => acceleratedScheduler({ timeScale: Infinity })).toThrow(/VirtualScheduler/);
  });
});
