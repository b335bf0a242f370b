import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type ScratchDatabase } from '../../test/support/databases.js';
import {
  createTestPlatform,
  makeAssetProvider,
  makeDu,
  makeOperator,
  nextPod,
  type TestPlatform,
} from '../../test/support/platform.js';
import { buildApp, LOG_REDACTIONS, type FastifyTypeBox } from './app.js';
import { ECHO_VALUE_CHARS } from './echo.js';

/** Small limits, so that a body over them is cheap to send. */
const BULK_MAX_BYTES = 64 * 1024;
const KPI_MAX_BYTES = 128 * 1024;
const BULK_HEADER = 'POD;NOME_DU;MAC_ADDRESS;CHIAVE;VERSIONE_HW;VERSIONE_SW';

type Caller = 'asset provider' | 'operator' | 'nobody';
interface HostileRow {
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  as?: Caller;
  /** Sent over a real socket: the URL as written (inject normalises `..`), or what only Node's HTTP parser sees. */
  socket?: boolean;
  status: number;
  code: string;
}

const form = (parts: { field: string; fileName?: string; content: string }[], boundary = 'XYZ') =>
  [
    ...parts.flatMap((p) => [
      `--${boundary}`,
      `Content-Disposition: form-data; name="${p.field}"${p.fileName ? `; filename="${p.fileName}"` : ''}`,
      ...(p.fileName ? ['Content-Type: text/csv'] : []),
      '',
      p.content,
    ]),
    `--${boundary}--`,
    '',
  ].join('\r\n');
const multipart = { 'content-type': 'multipart/form-data; boundary=XYZ' };
/** Two files of which the first alone would be taken: the second used to be ignored. */
const twoFiles = (first: string) =>
  form([
    { field: 'file', fileName: 'a.csv', content: first },
    { field: 'file', fileName: 'b.csv', content: first },
  ]);
const someId = uuidv7();

/** Each row was observed against a running server: a 500, the framework's own shape, or a misleading answer. */
const ROWS: HostileRow[] = [
  // The portal's static files (@fastify/static refuses these paths with a 403 that used to become a 500).
  {
    name: 'a path climbing out of the portal',
    method: 'GET',
    url: '/../../etc/passwd',
    socket: true,
    as: 'nobody',
    status: 404,
    code: 'not_found',
  },
  { name: 'an empty path segment', method: 'GET', url: '//etc/passwd', as: 'nobody', status: 404, code: 'not_found' },
  {
    name: 'a NUL byte in a file name',
    method: 'GET',
    url: '/index.html%00',
    as: 'nobody',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'encoded backslashes climbing out',
    method: 'GET',
    url: '/..%5c..%5cetc%5cpasswd',
    as: 'nobody',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an asset path climbing out',
    method: 'GET',
    url: '/assets/..%2f..%2fetc%2fpasswd',
    socket: true,
    as: 'nobody',
    status: 404,
    code: 'not_found',
  },
  // What the router or Node's parser refuses before any route runs.
  { name: 'a lone % in the path', method: 'GET', url: '/api/v1/associations/%', status: 400, code: 'invalid_input' },
  {
    name: 'a lone % in a page address',
    method: 'GET',
    url: '/associations/%',
    as: 'nobody',
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'a path parameter longer than the router takes',
    method: 'GET',
    url: `/api/v1/associations/${'a'.repeat(200)}`,
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'a URL over 16 KB',
    method: 'GET',
    url: `/api/v1/associations?pod=${'x'.repeat(17 * 1024)}`,
    socket: true,
    status: 431,
    code: 'request_header_too_large',
  },
  {
    name: 'a header over 16 KB',
    method: 'GET',
    url: '/api/v1/associations',
    headers: { 'x-filler': 'x'.repeat(17 * 1024) },
    socket: true,
    status: 431,
    code: 'request_header_too_large',
  },
  {
    name: 'a request line that is not HTTP',
    method: 'NOT A METHOD',
    url: '/',
    socket: true,
    as: 'nobody',
    status: 400,
    code: 'invalid_input',
  },
  // Multipart forms that cannot be read, or carry more than the one file.
  {
    name: 'a garbage multipart bulk upload',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: 'garbage, not a form',
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'a garbage multipart KPI report',
    method: 'POST',
    url: '/api/v1/kpi/reports',
    headers: multipart,
    body: 'garbage, not a form',
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'a multipart bulk upload without a boundary',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: { 'content-type': 'multipart/form-data' },
    body: 'x',
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'a multipart part cut short',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nPOD;',
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'a form field named __proto__',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: form([
      { field: '__proto__', content: 'x' },
      { field: 'file', fileName: 'a.csv', content: 'x' },
    ]),
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'a form field declared JSON that is not',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: '--XYZ\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{oops\r\n--XYZ--\r\n',
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'two file parts in a bulk upload',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: twoFiles(`${BULK_HEADER}\n${[nextPod(), ...Object.values(makeDu())].join(';')}`),
    status: 400,
    code: 'invalid_file',
  },
  {
    name: 'two file parts in a KPI report',
    method: 'POST',
    url: '/api/v1/kpi/reports',
    headers: multipart,
    body: twoFiles(`POD;GIORNO;RICEVUTI\n${nextPod()};2026-01-01;1`),
    status: 400,
    code: 'invalid_file',
  },
  // A JSON route sent something else.
  {
    name: 'a CSV body to create an association',
    method: 'POST',
    url: '/api/v1/associations',
    headers: { 'content-type': 'text/csv' },
    body: 'POD;NOME_DU\nx;y',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'an octet-stream body to create an association',
    method: 'POST',
    url: '/api/v1/associations',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([1, 2, 3]),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a form to create an association',
    method: 'POST',
    url: '/api/v1/associations',
    headers: multipart,
    body: form([{ field: 'pod', content: 'x' }]),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a CSV body to modify an association',
    method: 'PATCH',
    url: `/api/v1/associations/${someId}`,
    headers: { 'content-type': 'text/csv' },
    body: 'x',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a CSV body to create a token',
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { 'content-type': 'text/csv' },
    body: 'x',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a form to create a token',
    method: 'POST',
    url: '/api/v1/tokens',
    headers: multipart,
    body: form([{ field: 'label', content: 'x' }]),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a CSV body to log in',
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'content-type': 'text/csv' },
    body: 'x',
    as: 'nobody',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: "a form to an operator's JSON route",
    method: 'POST',
    url: '/api/v1/asset-providers',
    headers: multipart,
    body: form([{ field: 'name', content: 'x' }]),
    as: 'operator',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a CSV body to run an operation',
    method: 'POST',
    url: '/api/v1/operations',
    headers: { 'content-type': 'text/csv' },
    body: 'x',
    as: 'operator',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'an octet-stream KPI report',
    method: 'POST',
    url: '/api/v1/kpi/reports',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from('x'),
    status: 415,
    code: 'unsupported_media_type',
  },
  // Bodies over their limits.
  {
    name: 'a CSV bulk upload over BULK_MAX_BYTES',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: { 'content-type': 'text/csv' },
    body: `${BULK_HEADER}\n${'x'.repeat(BULK_MAX_BYTES)}`,
    status: 413,
    code: 'file_too_large',
  },
  {
    name: 'an octet-stream bulk upload over BULK_MAX_BYTES',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(BULK_MAX_BYTES + 1, 0x41),
    status: 413,
    code: 'file_too_large',
  },
  {
    name: 'a CSV KPI report over KPI_MAX_BYTES',
    method: 'POST',
    url: '/api/v1/kpi/reports',
    headers: { 'content-type': 'text/csv' },
    body: `POD;GIORNO;RICEVUTI\n${'x'.repeat(KPI_MAX_BYTES)}`,
    status: 413,
    code: 'file_too_large',
  },
  {
    name: 'a form file over BULK_MAX_BYTES',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: multipart,
    body: form([{ field: 'file', fileName: 'a.csv', content: 'x'.repeat(BULK_MAX_BYTES + 1) }]),
    status: 413,
    code: 'file_too_large',
  },
  {
    name: 'a JSON body over 1 MB',
    method: 'POST',
    url: '/api/v1/associations',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pod: 'x'.repeat(1 << 20) }),
    status: 413,
    code: 'payload_too_large',
  },
  // Input echoed back: bounded.
  {
    name: 'a 100 KB unknown field name',
    method: 'POST',
    url: '/api/v1/associations',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pod: nextPod(), du: makeDu(), ['k'.repeat(100_000)]: 1 }),
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'a bulk CSV with a 60 KB header',
    method: 'POST',
    url: '/api/v1/bulk-uploads',
    headers: { 'content-type': 'text/csv' },
    body: `${'H'.repeat(60_000)}\nx`,
    status: 400,
    code: 'invalid_file',
  },
];

/** The one error shape, with nothing of the caller's input sent back beyond a few hundred characters. */
const MAX_ERROR_ANSWER_BYTES = 2048;

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Writes the request as given (no normalisation), reads the answer until the server closes the connection. */
function rawRequest(port: number, request: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the request is still being written (a URL over its limit): what it answered counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: Buffer.from(text.slice(end + 4), 'latin1').toString('utf8'),
      });
    });
    socket.write(request);
  });
}

function portalRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'chain2-portal-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>portal</title>');
  writeFileSync(join(root, 'assets', 'app-1a2b3c.js'), 'export {};');
  return `${root}/`;
}

describe.each(backends())('hostile input on $name', (backend) => {
  let scratch: ScratchDatabase;
  let platform: TestPlatform;
  /** The app as `npm start` builds it, serving a portal of its own (web/dist may not be built when this runs). */
  let app: FastifyTypeBox;
  let port: number;
  const logs: string[] = [];
  const tokens: Partial<Record<Caller, string>> = {};

  beforeAll(async () => {
    if (!backend.available) return;
    scratch = await backend.create();
    platform = await createTestPlatform(scratch.target, {
      BULK_MAX_BYTES: String(BULK_MAX_BYTES),
      KPI_MAX_BYTES: String(KPI_MAX_BYTES),
    });
    const stream = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = await buildApp(platform.services, {
      logger: { level: 'info', stream, redact: LOG_REDACTIONS },
      bulkMaxBytes: BULK_MAX_BYTES,
      kpiMaxBytes: KPI_MAX_BYTES,
      webRoot: portalRoot(),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    tokens['asset provider'] = (await makeAssetProvider(platform)).token;
    tokens.operator = (await makeOperator(platform)).token;
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await scratch?.drop();
  });

  async function send(row: HostileRow): Promise<Answer> {
    const token = tokens[row.as ?? 'asset provider'];
    const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...row.headers };
    if (!row.socket) {
      const response = await app.inject({
        method: row.method as 'GET',
        url: row.url,
        headers,
        ...(row.body !== undefined ? { payload: row.body } : {}),
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }
    const body = row.body === undefined ? Buffer.alloc(0) : Buffer.from(row.body);
    const head = [
      `${row.method} ${row.url} HTTP/1.1`,
      'Host: localhost',
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ...(body.length ? [`Content-Length: ${body.length}`] : []),
      '',
      '',
    ].join('\r\n');
    return rawRequest(port, Buffer.concat([Buffer.from(head), body]));
  }

  describe.skipIf(!backend.available)('', () => {
    it.each(ROWS)('answers $name with $status $code in the one error shape, never a 500', async (row) => {
      const logged = logs.length;
      const answer = await send(row);
      expect([answer.status, answer.body.slice(0, 300)]).toEqual([row.status, expect.any(String)]);
      const body = JSON.parse(answer.body) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe(row.code);
      expect(typeof body.error.message).toBe('string');
      expect(Object.keys(body.error).filter((k) => !['code', 'message', 'details'].includes(k))).toEqual([]);
      expect(Buffer.byteLength(answer.body)).toBeLessThanOrEqual(MAX_ERROR_ANSWER_BYTES);
      expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
      if (row.url.startsWith('/api/')) expect(answer.headers['cache-control']).toBe('no-store');
      // Logged as the caller's mistake (info at most), not as an error of ours with a stack.
      expect(logs.slice(logged).filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
    });

    it('adds Cache-Control: no-store to every API answer, data or error', async () => {
      const asProvider = { authorization: `Bearer ${tokens['asset provider']}` };
      const answers = await Promise.all([
        app.inject({ url: '/api/v1/associations', headers: asProvider }),
        app.inject({ url: '/api/v1/summary', headers: asProvider }),
        app.inject({ url: '/api/v1/requests.csv', headers: asProvider }),
        app.inject({ url: `/api/v1/associations/${someId}`, headers: asProvider }),
        app.inject({ url: '/api/v1/associations' }),
        app.inject({ url: '/api/v1/no-such-resource', headers: asProvider }),
        app.inject({ url: '/api/v1/operations', headers: asProvider }),
      ]);
      expect(answers.map((a) => [a.statusCode, a.headers['cache-control']])).toEqual([
        [200, 'no-store'],
        [200, 'no-store'],
        [200, 'no-store'],
        [404, 'no-store'],
        [401, 'no-store'],
        [404, 'no-store'],
        [403, 'no-store'],
      ]);
    });

    it("keeps the portal's own caching: its page checked every time, its hashed assets kept", async () => {
      const [page, asset] = await Promise.all([
        app.inject({ url: '/associations' }),
        app.inject({ url: '/assets/app-1a2b3c.js' }),
      ]);
      expect([page.statusCode, page.headers['cache-control']]).toEqual([200, 'no-cache']);
      expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    });

    it(`repeats only the first ${ECHO_VALUE_CHARS} characters of a refused KPI report's POD, in JSON or in a CSV`, async () => {
      const headers = { authorization: `Bearer ${tokens['asset provider']}` };
      const hugePod = 'P'.repeat(60_000);
      const json = await app.inject({
        method: 'POST',
        url: '/api/v1/kpi/reports',
        headers,
        payload: {
          reports: [
            { pod: hugePod, day: '2026-01-01', received: 1 },
            { pod: nextPod(), day: '2026-01-01', receivedByType: { ['T'.repeat(30_000)]: 1 } },
          ],
        },
      });
      expect(json.statusCode).toBe(200);
      expect(json.body.length).toBeLessThan(2048);
      const refused = json.json().refused as { pod: string; issues: { field: string; message: string }[] }[];
      expect(refused[0]!.pod).toBe(`${'P'.repeat(ECHO_VALUE_CHARS)}…`);
      for (const issue of refused.flatMap((r) => r.issues))
        expect(issue.field.length + issue.message.length).toBeLessThan(600);

      const csv = await app.inject({
        method: 'POST',
        url: '/api/v1/kpi/reports',
        headers: { ...headers, 'content-type': 'text/csv' },
        payload: `POD;GIORNO;RICEVUTI\n${hugePod};2026-01-01;1\n`,
      });
      expect([csv.statusCode, csv.json().refused[0].pod]).toEqual([200, `${'P'.repeat(ECHO_VALUE_CHARS)}…`]);
    });

    it(`repeats only the first ${ECHO_VALUE_CHARS} characters of a bulk row's POD in its report, as JSON and as CSV`, async () => {
      const headers = { authorization: `Bearer ${tokens['asset provider']}` };
      const du = makeDu();
      const row = [
        'Q'.repeat(50_000),
        du.name,
        du.macAddress,
        du.encryptionKey,
        du.hardwareVersion,
        du.softwareVersion,
      ].join(';');
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/bulk-uploads',
        headers: { ...headers, 'content-type': 'text/csv' },
        payload: `${BULK_HEADER}\n${row}\n`,
      });
      expect(created.statusCode, created.body).toBe(202);
      const report = await app.inject({ url: `/api/v1/bulk-uploads/${created.json().id}`, headers });
      expect(report.json().rows[0].pod).toBe(`${'Q'.repeat(ECHO_VALUE_CHARS)}…`);
      expect(report.body.length).toBeLessThan(2048);
      const csv = await app.inject({ url: `/api/v1/bulk-uploads/${created.json().id}/report.csv`, headers });
      expect(csv.body).toContain(`${'Q'.repeat(ECHO_VALUE_CHARS)}…`);
      expect(csv.body.length).toBeLessThan(2048);
    });
  });
});
