import { describe, expect, it } from "vitest";
import { childEnv, CommandError, formatCommand, LineTail, runCommand, startStreaming } from "../../src/util/process.js";
import { Redactor } from "../../src/util/redact.js";

describe("process runner", () => {
  it("gives children an allow-listed environment without password variables", () => {
    const env = childEnv({ file: "x", args: [], env: { PGHOST: "h", PGPASSWORD: "leak" } }, { PATH: "/bin", HOME: "/root", AWS_SECRET_ACCESS_KEY: "s", MYSQL_PWD: "leak" });
    expect(env).toEqual({ PATH: "/bin", HOME: "/root", PGHOST: "h" });
  });

  it("formats commands for humans, quoting what needs it", () => {
    expect(formatCommand({ file: "/usr/bin/pg_dump", args: ["--format=plain", "it's here"] })).toBe(`/usr/bin/pg_dump --format=plain 'it'\\''s here'`);
  });

  it("keeps only the last lines of stderr and hands each line to a watcher", () => {
    const seen: string[] = [];
    const tail = new LineTail(2, (l) => seen.push(l));
    tail.push("a\nb\nc");
    tail.push("d\ne\n");
    tail.end();
    expect(seen).toEqual(["a", "b", "cd", "e"]);
    expect(tail.text()).toBe("cd\ne");
  });

  it("errors lead with the exit code and redacted stderr tail; the command line is kept for debug logs only", async () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    const err = await runCommand({ file: "bash", args: ["-c", "echo 'FATAL: password hunter2 rejected' >&2; exit 3"] }, { redactor }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.childExitCode).toBe(3);
    expect(ce.message).toBe("bash exited with code 3: FATAL: password *** rejected");
    expect(ce.command).toMatch(/^bash -c /);
    expect(ce.stderrTail).toBe("FATAL: password *** rejected");
    expect(ce.message).not.toContain("hunter2");
  });

  it("a missing executable is an error naming it", async () => {
    await expect(runCommand({ file: "/nonexistent/tool", args: [] })).rejects.toThrow(/tool could not be started \(ENOENT\)/);
  });

  it("streams stdout and reports a child killed by a signal", async () => {
    const child = startStreaming({ file: "bash", args: ["-c", "printf abc; kill -TERM $$"] });
    const chunks: Buffer[] = [];
    for await (const c of child.stdout) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("abc");
    await expect(child.done).rejects.toThrow(/bash was killed by SIGTERM/);
  });

  it("stops the child when the signal aborts", async () => {
    const controller = new AbortController();
    const child = startStreaming({ file: "sleep", args: ["30"] }, { signal: controller.signal });
    child.stdout.resume();
    controller.abort();
    await expect(child.done).rejects.toThrow(/sleep was stopped \(interrupted\)/);
  });
});
