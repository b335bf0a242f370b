/** What moves requests and remote operations on. */

/**
 * The request workflow: told of every request committed in status `submitted`, it moves it on to a final
 * status. Telemanagement (issue 3) implements it for real; main/ wires one implementation.
 */
export interface RequestWorkflow {
  submitted(requestId: string): void;
  /** Told of every remote operation committed in status `submitted`. */
  operationSubmitted(operationId: string): void;
}
