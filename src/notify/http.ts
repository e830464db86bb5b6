import { OperationError } from "../util/errors.js";

/** "host:port" of a URL: what logs and messages may say about it (its path may be a token). */
export function targetOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "invalid URL";
  }
}

/** POSTs `body` (JSON, or text), bounded by `timeoutMs`; a non-2xx answer is an error naming only the status. */
export async function post(url: string, body: string, contentType: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body, headers: { "content-type": contentType, "user-agent": "vya-backupdb" }, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (err) {
    throw new OperationError(`POST to ${targetOf(url)} failed: ${reasonOf(err, timeoutMs)}`);
  }
  // The body is read so the connection is released; its text is not quoted (it may echo the URL).
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new OperationError(`POST to ${targetOf(url)} answered HTTP ${response.status}`);
}

export async function postJson(url: string, value: unknown, timeoutMs: number): Promise<void> {
  await post(url, JSON.stringify(value), "application/json", timeoutMs);
}

/** fetch's errors hide the reason in `cause` (ECONNREFUSED …); a timeout says how long it waited. URLs left out. */
function reasonOf(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  return code ?? e.cause?.message?.replace(/https?:\/\/\S+/g, "<url>") ?? e.message.replace(/https?:\/\/\S+/g, "<url>");
}
