/** The error `run` throws (a test helper for the codec's rejection cases); fails the test when it throws none. */
export function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
