import { describe, expect, it } from 'vitest';
import { caught } from './caught.test-support.js';
import { fromChain2Json, parseChain2Json, toChain2Json } from './envelope.js';
import type { Frame } from './layout.js';

const cf21: Frame = {
  type: 'CF21',
  meter: 'M1',
  payload: { EventType: 1, EventsCounter: 2841, EventPosixTimestamp: 1717240523, InstantPower: 1200 },
};
const json = {
  Chain2Data: {
    Id: 'c2g-57CD6A0CC',
    Ts: '2024/06/01 13:15:41',
    Meter: 'M1',
    Type: 'CF21',
    Payload: { EventType: 1, EventsCounter: 2841, EventPosixTimestamp: 1717240523, InstantPower: 1200 },
  },
};

function withData(change: Record<string, unknown>): unknown {
  return { Chain2Data: { ...json.Chain2Data, ...change } };
}

describe('JSON envelope', () => {
  it('writes the envelope DU integrations emit, keys in their order', () => {
    const written = toChain2Json({ duId: 'c2g-57CD6A0CC', ts: '2024/06/01 13:15:41', frame: cf21 });
    expect(JSON.stringify(written)).toBe(JSON.stringify(json));
  });

  it('reads that envelope back into the frame', () => {
    expect(fromChain2Json(json)).toEqual({ duId: 'c2g-57CD6A0CC', ts: '2024/06/01 13:15:41', frame: cf21 });
  });

  it.each([
    [
      'a missing payload field',
      withData({ Payload: { EventType: 1, EventsCounter: 2841, EventPosixTimestamp: 1717240523 } }),
      'Chain2Data.Payload.InstantPower',
    ],
    [
      'an unknown payload field',
      withData({ Payload: { ...json.Chain2Data.Payload, Extra: 1 } }),
      'Chain2Data.Payload.Extra',
    ],
    ['a field of another frame type', withData({ Type: 'CF23' }), 'Chain2Data.Payload.InstantPower'],
    [
      'a number given as a string',
      withData({ Payload: { ...json.Chain2Data.Payload, InstantPower: '1200' } }),
      'Chain2Data.Payload.InstantPower',
    ],
    [
      'a fractional number',
      withData({ Payload: { ...json.Chain2Data.Payload, InstantPower: 1200.5 } }),
      'Chain2Data.Payload.InstantPower',
    ],
    [
      'a negative power',
      withData({ Payload: { ...json.Chain2Data.Payload, InstantPower: -1 } }),
      'Chain2Data.Payload.InstantPower',
    ],
    ['an unknown meter', withData({ Meter: 'M3' }), 'Chain2Data.Meter'],
    ['an unknown frame type', withData({ Type: 'CF2' }), 'Chain2Data.Type'],
    ['a Ts in another format', withData({ Ts: '2024-06-01T13:15:41Z' }), 'Chain2Data.Ts'],
    ['a Ts with month 13', withData({ Ts: '2024/13/01 13:15:41' }), 'Chain2Data.Ts'],
    ['an empty DU id', withData({ Id: '' }), 'Chain2Data.Id'],
    ['an extra envelope field', withData({ Ip: '192.168.1.2' }), 'Chain2Data.Ip'],
    ['a Chain2Info object instead', { Chain2Info: { Id: 'c2g-57CD6A0CC' } }, 'Chain2Info'],
    ['an array', [json], ''],
    ['null', null, ''],
    ['a __proto__ key', JSON.parse('{"Chain2Data":{"__proto__":{}}}'), 'Chain2Data.__proto__'],
  ])('rejects %s, naming the path', (_, value, path) => {
    expect(caught(() => fromChain2Json(value))).toMatchObject({ code: 'invalid_value', path });
  });

  it('rejects a payload date-time in another format, naming the field', () => {
    const cf9 = {
      Chain2Data: {
        ...json.Chain2Data,
        Type: 'CF9',
        Payload: {
          MeasurePosixTimestamp: 1717365600,
          WeeklyVeffMin: 218,
          WeeklyVeffMinDateTime: '2024-05-29 19:20:00',
          WeeklyVeffMax: 241,
          WeeklyVeffMaxDateTime: '02/06/2024 13:10:00 7',
          WeeklyVeffBand1Counter: 0,
          WeeklyVeffBand2Counter: 2,
          WeeklyVeffBand3Counter: 1001,
          WeeklyVeffBand4Counter: 5,
          WeeklyVeffBand5Counter: 0,
        },
      },
    };
    expect(caught(() => fromChain2Json(cf9))).toMatchObject({ path: 'Chain2Data.Payload.WeeklyVeffMinDateTime' });
  });

  it('rejects text that is not JSON as invalid_value at the root', () => {
    expect(caught(() => parseChain2Json('{"Chain2Data":'))).toMatchObject({ code: 'invalid_value', path: '' });
  });
});
