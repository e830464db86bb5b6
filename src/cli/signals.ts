/**
 * Turns SIGINT/SIGTERM into an abort signal for the work in progress, so children are stopped
 * and partial files removed before the process exits with 130/143.
 */
export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ result: T; signal: NodeJS.Signals | undefined }> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = sig === "SIGINT" ? 130 : 143;
    if (received) process.exit(code); // a second signal: stop now
    received = sig;
    // Set now, not when the work returns: whatever happens next, an interrupted run never exits 0.
    process.exitCode = code;
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return { result: await work(controller.signal), signal: received };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
