/** The simulated Chain 2 power line and its WebSocket tap: public surface (see README.md). */
export {
  PowerLineMedium,
  normaliseMacAddress,
  DEFAULT_LOSS_RATE,
  type PowerLineMediumOptions,
  type PowerLineCounters,
  type FrameListener,
} from './power-line-medium.js';
export {
  attachPowerLineBridge,
  connectPowerLine,
  DEFAULT_PATH_PREFIX,
  type PowerLineBridge,
  type PowerLineBridgeOptions,
  type PowerLineTap,
} from './power-line-bridge.js';
export { closeSocket, rejectUpgrade, requestPath } from './websocket-lifecycle.js';
