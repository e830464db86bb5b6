import { describe, expect, it } from "vitest";
import { ConfigError, describeError, InterruptedError, OperationError, systemErrorText } from "../../src/util/errors.js";

function systemError(code: string, description: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${description}, ${syscall}${path ? ` '${path}'` : ""}`);
  err.code = code;
  err.syscall = syscall;
  if (path) err.path = path;
  return err;
}

describe("describeError", () => {
  it("never doubles a prefix the cause repeats (EISDIR: EISDIR:)", () => {
    const err = new OperationError("cannot read /etc/x.yaml: EISDIR", { cause: systemError("EISDIR", "illegal operation on a directory", "read") });
    expect(describeError(err)).toBe("cannot read /etc/x.yaml: EISDIR: illegal operation on a directory (read)");
  });

  it("names the operation and the file of a system error", () => {
    expect(systemErrorText(systemError("ENOSPC", "no space left on device", "write", "/b/x.partial") as Error)).toBe("ENOSPC: no space left on device (write /b/x.partial)");
    const err = new OperationError("writing the archive", { cause: systemError("ENOSPC", "no space left on device", "write", "/b/x.partial") });
    expect(describeError(err)).toBe("writing the archive: ENOSPC: no space left on device (write /b/x.partial)");
  });

  it("prints a cause once when the message already quotes it", () => {
    const parse = new Error("Flow map must end with a } at line 2, column 1:\n\nserver: {name\n^");
    const err = new ConfigError(["not valid YAML: Flow map must end with a } at line 2, column 1:"], "/c.yaml", { cause: parse });
    expect(describeError(err).match(/Flow map/g)).toHaveLength(1);
  });

  it("an interrupt is said as such", () => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted by SIGTERM"));
    expect(describeError(new InterruptedError(controller.signal))).toBe("interrupted by SIGTERM");
  });

  it("keeps causes that add something", () => {
    expect(describeError(new OperationError("upload failed", { cause: new Error("socket hang up") }))).toBe("upload failed: socket hang up");
  });
});
