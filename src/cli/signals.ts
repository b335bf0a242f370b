/** Resolves on the first SIGINT or SIGTERM: the commands that serve stop then, cleanly. */
export function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
