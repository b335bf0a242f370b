/**
 * Optional MQTT output of DU emulators, for home-automation setups that read a broker rather than the DU's socket:
 *   <prefix>/<DU id>/data   every accepted frame, the same Chain2Data JSON as the WebSocket (QoS 0, not retained)
 *   <prefix>/<DU id>/info   Chain2Info, retained, published on attach and again on every (re)connection
 * QoS 0 like the DU's own stream: a frame published while the broker is away is dropped and counted, not queued
 * without bound. The broker being away never throws: problems go to `onProblem`, once per change of state.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { DuEmulator } from './du-emulator.js';

export const DEFAULT_TOPIC_PREFIX = 'chain2';
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_PERIOD_MS = 1_000;
/** A topic level must not contain the separator or the wildcards. */
const TOPIC_LEVEL = /^[^/+#\0]+$/;

export interface DuMqttPublisherOptions {
  /** `mqtt://host:1883` (or mqtts://, ws://). Credentials in the URL are used but never repeated in messages. */
  url: string;
  /** One or more topic levels, no wildcards. Default `chain2`. */
  topicPrefix?: string;
  clientId?: string;
  /** How long the first connection may take before `connect` rejects. Default 5 s. */
  connectTimeoutMs?: number;
  /** Wait between reconnection attempts. Default 1 s. */
  reconnectPeriodMs?: number;
  /** Problems after the first connection (broker gone, back, publish refused); default: none reported. */
  onProblem?: (message: string) => void;
}

export interface DuTopics {
  data: string;
  info: string;
}

export class DuMqttPublisher {
  readonly topicPrefix: string;
  readonly #client: MqttClient;
  readonly #safeUrl: string;
  readonly #onProblem: (message: string) => void;
  /** Chain2Info to (re)publish on every connection, per info topic. */
  readonly #infos = new Map<string, () => string>();
  #published = 0;
  #dropped = 0;
  /** Problems reported since the last good connection: each is reported once until the broker is back. */
  readonly #reported = new Set<string>();

  private constructor(client: MqttClient, safeUrl: string, topicPrefix: string, onProblem: (message: string) => void) {
    this.#client = client;
    this.#safeUrl = safeUrl;
    this.topicPrefix = topicPrefix;
    this.#onProblem = onProblem;
    client.on('error', (error) => this.#report(`MQTT ${safeUrl}: ${error.message}`));
    client.on('offline', () =>
      this.#report(`MQTT ${safeUrl}: broker unreachable; frames are dropped until it is back`),
    );
    client.on('connect', () => {
      if (this.#reported.size > 0) {
        this.#reported.clear();
        this.#onProblem(`MQTT ${safeUrl}: connected again`);
      }
      for (const [topic, info] of this.#infos) this.#publish(topic, info(), true);
    });
  }

  /** Connects; rejects with the (credential-free) URL and the cause when the broker cannot be reached in time. */
  static async connect(options: DuMqttPublisherOptions): Promise<DuMqttPublisher> {
    const topicPrefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    if (!topicPrefix.split('/').every((level) => TOPIC_LEVEL.test(level))) {
      throw new RangeError(
        `DuMqttPublisher: topicPrefix "${topicPrefix}" must be topic levels without '+', '#' or empty levels`,
      );
    }
    const safeUrl = withoutCredentials(options.url);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    let client: MqttClient;
    try {
      client = mqtt.connect(options.url, {
        clientId: options.clientId,
        connectTimeout: timeoutMs,
        reconnectPeriod: options.reconnectPeriodMs ?? RECONNECT_PERIOD_MS,
        queueQoSZero: false,
      });
    } catch (cause) {
      throw new RangeError(`DuMqttPublisher: cannot use MQTT URL ${safeUrl} (${(cause as Error).message})`, { cause });
    }
    await new Promise<void>((resolve, reject) => {
      let lastError: Error | undefined;
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      const onError = (error: Error): void => {
        lastError = error;
        // An answer from the broker (bad credentials, refused) is final; a socket error ends with 'close'.
        if (!('code' in error) || typeof error.code !== 'string') fail(error.message);
      };
      const onClose = (): void => fail(lastError?.message ?? 'connection closed');
      const onConnect = (): void => {
        cleanUp();
        resolve();
      };
      const cleanUp = (): void => {
        clearTimeout(timer);
        client.off('error', onError).off('close', onClose).off('connect', onConnect);
      };
      function fail(reason: string): void {
        cleanUp();
        client.on('error', () => {}); // end() can still report the dying socket
        client.end(true);
        reject(new Error(`MQTT broker ${safeUrl} not reachable: ${reason}`, { cause: lastError }));
      }
      client.on('error', onError).on('close', onClose).on('connect', onConnect);
    });
    return new DuMqttPublisher(client, safeUrl, topicPrefix, options.onProblem ?? (() => {}));
  }

  topicsOf(duId: string): DuTopics {
    if (!TOPIC_LEVEL.test(duId)) throw new RangeError(`DuMqttPublisher: DU id "${duId}" cannot be a topic level`);
    return { data: `${this.topicPrefix}/${duId}/data`, info: `${this.topicPrefix}/${duId}/info` };
  }

  /** Publishes the DU's Chain2Info (retained) and from now on each of its frames; returns the function that stops. */
  attach(du: DuEmulator, ip: string): () => void {
    const topics = this.topicsOf(du.id);
    const info = (): string => JSON.stringify(du.info(ip));
    this.#infos.set(topics.info, info);
    this.#publish(topics.info, info(), true);
    const unsubscribe = du.subscribe((message) => this.#publish(topics.data, JSON.stringify(message), false));
    return () => {
      unsubscribe();
      this.#infos.delete(topics.info);
    };
  }

  get published(): number {
    return this.#published;
  }

  /** Messages not handed to the broker (offline, or refused by the client). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Disconnects cleanly (pending QoS 0 writes are flushed first). */
  async close(): Promise<void> {
    this.#infos.clear();
    await this.#client.endAsync();
  }

  #publish(topic: string, payload: string, retain: boolean): void {
    if (!this.#client.connected) {
      this.#dropped++;
      return;
    }
    this.#client.publish(topic, payload, { qos: 0, retain }, (error) => {
      if (error) {
        this.#dropped++;
        this.#report(`MQTT ${this.#safeUrl}: publish to ${topic} failed (${error.message})`);
      } else {
        this.#published++;
      }
    });
  }

  /** Reports a problem once per outage, not once per frame or per reconnection attempt. */
  #report(message: string): void {
    if (this.#reported.has(message)) return;
    this.#reported.add(message);
    this.#onProblem(message);
  }
}

/** The URL as it may be printed: no user name or password. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable MQTT URL)';
  }
}
