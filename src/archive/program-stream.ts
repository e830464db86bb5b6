import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { Duplex } from "node:stream";
import { OperationError } from "../util/errors.js";
import { childEnv, LineTail, type Command } from "../util/process.js";

const WINDOW = 1024 * 1024;

/** The program's path on PATH (an executable regular file), or null. */
export function findProgram(name: string, path: string = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * A filter program (stdin → stdout) as a Duplex stage. The output ends only once the program
 * exited 0, so a failure (damaged input, a crash) fails the stream before its end is seen; the
 * error carries the program's own stderr. Destroying the stream kills the program.
 */
export function programDuplex(command: Command): Duplex {
  return programStage(command, true);
}

/**
 * A program that reads its input itself (a file named in its arguments) as a Readable: its output,
 * ending only once it exited 0. The input never passes through this process.
 */
export function programOutput(command: Command): Duplex {
  const stage = programStage(command, false);
  stage.end();
  return stage;
}

function programStage(command: Command, fed: boolean): Duplex {
  const name = command.file.split("/").pop() ?? command.file;
  const child = spawn(command.file, command.args, { stdio: [fed ? "pipe" : "ignore", "pipe", "pipe"], env: childEnv(command) });
  const { stdin, stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error(`${name}: no output pipes`);
  const tail = new LineTail(10);
  stderr.on("data", (chunk: Buffer) => tail.push(chunk));
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", (err) => reject(new OperationError(`${name} could not be started: ${err.message}`, { cause: err })));
    child.once("close", (code, signal) => {
      tail.end();
      if (code === 0) resolve();
      else reject(new OperationError(`${name} ${code === null ? `was killed by ${signal ?? "a signal"}` : `exited with code ${code}`}${tail.text() ? `: ${tail.text().trim()}` : ""}`));
    });
  });
  exited.catch(() => undefined);
  let settled = false;
  const duplex = new Duplex({
    // Large windows on both sides: a pipe round trip per 16 KiB made the program path 2.5× slower than the program alone.
    writableHighWaterMark: WINDOW,
    readableHighWaterMark: WINDOW,
    write(chunk: Buffer, _encoding, callback) {
      if (!stdin) return callback(new Error(`${name} reads no input from this process`));
      stdin.write(chunk);
      if (stdin.writableLength < WINDOW) callback();
      else stdin.once("drain", () => callback());
    },
    final(callback) {
      stdin?.end();
      callback();
    },
    read() {
      stdout.resume();
    },
    destroy(err, callback) {
      if (!settled) child.kill();
      callback(err);
    },
  });
  stdout.on("data", (chunk: Buffer) => {
    if (!duplex.push(chunk)) stdout.pause();
  });
  stdout.once("end", () => {
    exited.then(
      () => {
        settled = true;
        duplex.push(null);
      },
      (err: unknown) => duplex.destroy(err as Error),
    );
  });
  // The program's exit status is the better reason than the EPIPE its death causes on stdin.
  stdin?.on("error", (err) => {
    exited.then(
      () => duplex.destroy(err),
      (exitErr: unknown) => duplex.destroy(exitErr as Error),
    );
  });
  exited.catch((err: unknown) => duplex.destroy(err as Error));
  return duplex;
}
