/**
 * What moves requests and remote operations on (telemanagement: workers/telemanagement.workflow.ts). It finds
 * them in the database by their status `submitted`, on its own every WORKFLOW_POLL_MS; main/ wires one implementation.
 */
export interface RequestWorkflow {
  /**
   * Requests or remote operations were just committed in status `submitted`: look for them now rather than at the
   * next poll. Nothing is lost if this is never called (or the process dies before the workflow looks).
   */
  wake(): void;
}
