import type { RequestWorkflow } from '../services/ports.js';

/** A request workflow with a life: started and stopped with the process, drained by tests and the demo seed. */
export interface RunnableWorkflow extends RequestWorkflow {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no request is left in flight (those waiting for the bulk quota excepted). */
  drain(): Promise<void>;
}
