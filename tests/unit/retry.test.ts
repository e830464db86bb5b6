import { describe, expect, it } from "vitest";
import { PermanentError, TransientError, isTransient, withRetry } from "../../src/storage/retry.js";

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
const sysError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("isTransient", () => {
  it.each([
    ["connection refused", sysError("ECONNREFUSED")],
    ["connection reset", sysError("ECONNRESET")],
    ["timeout", sysError("ETIMEDOUT")],
    ["DNS hiccup", sysError("EAI_AGAIN")],
    ["S3 500", sdkError("InternalError", 500)],
    ["S3 503 SlowDown", sdkError("SlowDown", 503)],
    ["throttling 429", sdkError("TooManyRequestsException", 429)],
    ["throttling by name", sdkError("ThrottlingException", 400)],
    ["SDK-marked retryable", Object.assign(new Error("x"), { $retryable: { throttling: true } })],
    ["ssh socket error", Object.assign(new Error("socket"), { level: "client-socket" })],
    ["SFTP connection lost", Object.assign(new Error("lost"), { code: 7 })],
    ["verification mismatch", new TransientError("size differs")],
    ["wrapped network error", new Error("upload failed", { cause: sysError("ECONNRESET") })],
    ["SFTP not connected", Object.assign(new Error("stat: No SFTP connection available"), { code: "ERR_NOT_CONNECTED" })],
    ["SFTP connection ended", Object.assign(new Error("put: Unexpected end event"), { code: "ERR_GENERIC_CLIENT" })],
    ["a pending ssh2 request cut off by a closed channel", new Error("No response from server")],
  ])("retries %s", (_label, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ["access denied", sdkError("AccessDenied", 403)],
    ["bad key id", sdkError("InvalidAccessKeyId", 403)],
    ["bad signature", sdkError("SignatureDoesNotMatch", 403)],
    ["401", sdkError("Unauthorized", 401)],
    ["a 403 even if marked retryable", sdkError("AccessDenied", 403, { $retryable: {} })],
    ["no such bucket", sdkError("NoSuchBucket", 404)],
    ["ssh authentication", Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" })],
    ["SFTP permission denied", Object.assign(new Error("Permission denied"), { code: 3 })],
    ["SFTP bad path", Object.assign(new Error("_mkdir: Bad path: /x not a directory"), { code: "ERR_BAD_PATH" })],
    ["another generic SFTP error", Object.assign(new Error("put: Failure"), { code: "ERR_GENERIC_CLIENT" })],
    ["host key mismatch", new PermanentError("host key mismatch")],
    ["permanent wrapping a network error", new PermanentError("interrupted", { cause: sysError("ECONNRESET") })],
    ["an unknown error", new Error("something odd")],
    ["a non-error", "boom"],
  ])("does not retry %s", (_label, err) => {
    expect(isTransient(err)).toBe(false);
  });
});

describe("withRetry", () => {
  const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 2 };

  it("retries transient failures until success, reporting each retry", async () => {
    const seen: number[] = [];
    let calls = 0;
    const result = await withRetry(
      fast,
      async () => {
        calls++;
        if (calls < 3) throw sysError("ECONNRESET");
        return "done";
      },
      { onRetry: (attempt) => seen.push(attempt) },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it("gives up after the configured retries with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(fast, async () => {
        calls++;
        throw sysError("ECONNREFUSED");
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(4);
  });

  it("stops at once on a permanent failure", async () => {
    let calls = 0;
    await expect(
      withRetry(fast, async () => {
        calls++;
        throw sdkError("AccessDenied", 403);
      }),
    ).rejects.toThrow(/AccessDenied/);
    expect(calls).toBe(1);
  });
});
