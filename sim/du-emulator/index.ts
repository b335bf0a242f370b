/** The DU ("dispositivo utente") emulator: public surface (see README.md). */
export {
  DuEmulator,
  meterTimestampOf,
  dayKeyOf,
  FIRMWARE_VERSION,
  PROG_ID,
  type DuEmulatorOptions,
  type Chain2InfoJson,
  type ReceiveOutcome,
  type Chain2DataListener,
} from './du-emulator.js';
export {
  DuWebSocketServer,
  DuServerMode,
  DuServerErrorCode,
  FLEET_PATH_PREFIX,
  INFO_COMMAND,
  type DuWebSocketServerOptions,
} from './du-websocket-server.js';
export {
  DuMqttPublisher,
  DEFAULT_TOPIC_PREFIX,
  type DuMqttPublisherOptions,
  type DuTopics,
} from './du-mqtt-publisher.js';
export { runDuCommand, DU_USAGE, type DuCommandIo, type DuCommandResult, type RunningDuCommand } from './du.command.js';
