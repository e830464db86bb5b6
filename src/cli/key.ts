import type { Command } from "commander";
import { generateKeyFile } from "../crypto/keygen.js";
import { globalsOf } from "./globals.js";

export function registerKey(program: Command): void {
  const key = program.command("key").description("age keys for encryption at rest (docs/encryption.md)");
  key
    .command("generate")
    .description("write a new age identity (private key) file, mode 0600, and print its recipient (public key)")
    .requiredOption("-o, --output <file>", "where to write the identity; never overwritten")
    .addHelpText(
      "after",
      `
The file is in age-keygen's format: the stock \`age -d -i FILE\` decrypts the archives. Put the
printed recipient (age1…) in encryption.age.recipients; keep the identity file off the backup
host (verify and restore need it, backups do not). Exit codes: 0 written, 1 not written.`,
    )
    .action(async (flags: { output: string }, command: Command) => {
      const generated = await generateKeyFile(flags.output);
      // The recipient is public: stdout, so `recipient=$(vya-backupdb key generate -o k.txt)` works.
      if (globalsOf(command).json) process.stdout.write(`${JSON.stringify({ identity_file: generated.path, recipient: generated.recipient })}\n`);
      else process.stdout.write(`${generated.recipient}\n`);
      process.stderr.write(`identity written to ${generated.path} (0600); its recipient is on stdout\n`);
    });
}
