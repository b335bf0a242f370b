/** Clock, ids, secrets, passwords and logging: what every service and adapter may need of the runtime. */

export interface Clock {
  now(): Date;
}

/** New time-ordered unique ids (UUIDv7), so that id order is creation order. */
export type NewId = () => string;

/** Authenticated encryption of secrets at rest (DU keys). The sealed form is opaque bytes. */
export interface SecretBox {
  seal(plaintext: string): Uint8Array;
  open(sealed: Uint8Array): string;
}

/** Password hashing (scrypt): slow on purpose, so a leaked table cannot be guessed cheaply. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Structured logging (pino's shape). Never pass secrets: DU keys, tokens, passwords. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
