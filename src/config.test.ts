import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const terminal = { stdoutIsTty: true };
const pipe = { stdoutIsTty: false };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig: the embedded database', () => {
  it('leaves shared_buffers to the storage default unless EMBEDDED_SHARED_BUFFERS_MB sets it, in whole megabytes', () => {
    expect(loadConfig({}, pipe).embeddedSharedBuffersMb).toBeUndefined();
    expect(loadConfig({ EMBEDDED_SHARED_BUFFERS_MB: '128' }, pipe).embeddedSharedBuffersMb).toBe(128);
    expect(problemsOf(() => loadConfig({ EMBEDDED_SHARED_BUFFERS_MB: '0.5' }, pipe))).toEqual([
      'EMBEDDED_SHARED_BUFFERS_MB must be a whole number from 1 to 1024 (got "0.5")',
    ]);
  });
});

describe('loadConfig: logging', () => {
  it('logs pretty lines to a terminal and JSON lines anywhere else unless LOG_FORMAT says otherwise', () => {
    const table: [NodeJS.ProcessEnv, { stdoutIsTty: boolean }, 'json' | 'pretty'][] = [
      [{}, terminal, 'pretty'],
      [{}, pipe, 'json'],
      [{ LOG_FORMAT: 'json' }, terminal, 'json'],
      [{ LOG_FORMAT: 'pretty' }, pipe, 'pretty'],
      [{ LOG_FORMAT: ' ' }, pipe, 'json'],
    ];
    for (const [env, output, format] of table)
      expect(loadConfig(env, output).logFormat, JSON.stringify([env, output])).toBe(format);
  });

  it('defaults to info and accepts every pino level', () => {
    expect(loadConfig({}, pipe).logLevel).toBe('info');
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)
      expect(loadConfig({ LOG_LEVEL: level }, pipe).logLevel).toBe(level);
  });

  it('reports an unknown LOG_FORMAT and LOG_LEVEL together, with the values it accepts', () => {
    expect(problemsOf(() => loadConfig({ LOG_FORMAT: 'yaml', LOG_LEVEL: 'loud' }, terminal))).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'LOG_FORMAT must be one of json, pretty',
    ]);
  });
});

describe('loadConfig: the daily collection', () => {
  it('starts at 01:00 and asks missing meters again for 7 days unless COLLECTION_* say otherwise', () => {
    expect(loadConfig({}, pipe).collection).toEqual({
      startHour: 1,
      maxDaysLate: 7,
      concurrency: 50,
      retryDelaySeconds: 30,
    });
    expect(
      loadConfig(
        {
          COLLECTION_START_HOUR: '3',
          COLLECTION_MAX_DAYS_LATE: '0',
          COLLECTION_CONCURRENCY: '10',
          COLLECTION_RETRY_DELAY_SECONDS: '2',
        },
        pipe,
      ).collection,
    ).toEqual({ startHour: 3, maxDaysLate: 0, concurrency: 10, retryDelaySeconds: 2 });
  });

  it('reports an hour outside the day and a negative lateness together', () => {
    expect(problemsOf(() => loadConfig({ COLLECTION_START_HOUR: '24', COLLECTION_MAX_DAYS_LATE: '-1' }, pipe))).toEqual(
      [
        'COLLECTION_START_HOUR must be a whole number from 0 to 23 (got "24")',
        'COLLECTION_MAX_DAYS_LATE must be a whole number from 0 to 60 (got "-1")',
      ],
    );
  });

  it('gives the meters their field faults unless SIMULATOR_FIELD_FAULTS is off, and names a wrong value', () => {
    expect(loadConfig({}, pipe).simulator.fieldFaults).toBe(true);
    expect(loadConfig({ SIMULATOR_FIELD_FAULTS: 'off' }, pipe).simulator.fieldFaults).toBe(false);
    expect(problemsOf(() => loadConfig({ SIMULATOR_FIELD_FAULTS: 'no' }, pipe))).toEqual([
      'SIMULATOR_FIELD_FAULTS must be on or off',
    ]);
  });
});
