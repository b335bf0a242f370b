import type { RequestWorkflow } from '../services/ports/index.js';

/** A request workflow with a life: started and stopped with the process, drained by tests and the demo seed. */
export interface RunnableWorkflow extends RequestWorkflow {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no request (those waiting for the bulk quota excepted) and no remote operation is left in flight. */
  drain(): Promise<void>;
}
