import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * SSH host key checking for SFTP remotes: against a pinned "SHA256:…" fingerprint (as
 * `ssh-keygen -lf` prints it) or a known_hosts file (plain or hashed host names, [host]:port,
 * wildcards, @revoked). A key that does not match is refused, and the refusal names the
 * fingerprint that was seen so the operator can compare it out of band.
 */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Accepts "SHA256:abc", "abc" and padded base64; compares the base64 part exactly. */
export function sameFingerprint(expected: string, seen: string): boolean {
  const norm = (f: string) => f.trim().replace(/^SHA256:/i, "").replace(/=+$/, "");
  return norm(expected) === norm(seen);
}

export interface KnownHostKey {
  type: string;
  key: Buffer;
  revoked: boolean;
}

/** The host as known_hosts writes it: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(text);
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of field.split(",")) {
    if (pattern.startsWith("!")) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) matched = true;
  }
  return matched;
}

/** Keys listed for host:port in known_hosts text (@cert-authority lines are not supported and skipped). */
export function parseKnownHosts(text: string, host: string, port: number): KnownHostKey[] {
  const name = knownHostsName(host, port);
  const out: KnownHostKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith("@")) {
      const marker = fields.shift();
      if (marker === "@cert-authority") continue;
      revoked = marker === "@revoked";
    }
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key || !hostMatches(hosts, name)) continue;
    out.push({ type, key: Buffer.from(key, "base64"), revoked });
  }
  return out;
}

export interface HostKeyExpectation {
  /** Pinned fingerprint; when set, known_hosts is not consulted. */
  sha256?: string | undefined;
  /** known_hosts files to consult, in order (missing files are skipped). */
  knownHostsFiles: string[];
  host: string;
  port: number;
}

/** The known_hosts files used when a remote names neither host_key_sha256 nor known_hosts. */
export function defaultKnownHostsFiles(): string[] {
  return [join(homedir(), ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"];
}

export function readKnownHosts(expect: HostKeyExpectation): KnownHostKey[] {
  const keys: KnownHostKey[] = [];
  for (const file of expect.knownHostsFiles) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    keys.push(...parseKnownHosts(text, expect.host, expect.port));
  }
  return keys;
}

/** null when the key is accepted, otherwise why it is refused (with the seen fingerprint). */
export function checkHostKey(seen: Buffer, expect: HostKeyExpectation, known: KnownHostKey[] = readKnownHosts(expect)): string | null {
  const fingerprint = fingerprintSha256(seen);
  if (expect.sha256 !== undefined) {
    return sameFingerprint(expect.sha256, fingerprint)
      ? null
      : `host key mismatch: the server presented ${fingerprint}, host_key_sha256 expects ${expect.sha256.trim()}. If the server's key really changed, update host_key_sha256 after checking the new key out of band`;
  }
  const where = expect.knownHostsFiles.join(", ");
  if (known.some((k) => k.revoked && k.key.equals(seen))) return `host key ${fingerprint} is marked @revoked in ${where}`;
  if (known.some((k) => !k.revoked && k.key.equals(seen))) return null;
  if (known.length === 0) {
    return `host key not verified: ${knownHostsName(expect.host, expect.port)} is not in ${where}; the server presented ${fingerprint}. Check it out of band, then set host_key_sha256: "${fingerprint}" or add the host to a known_hosts file`;
  }
  return `host key mismatch: the server presented ${fingerprint}, which is not the key listed for ${knownHostsName(expect.host, expect.port)} in ${where}`;
}

/** ssh2's host key algorithm names for the key types known_hosts lists (so the server offers one we know). */
export function hostKeyAlgorithms(known: KnownHostKey[]): string[] {
  const out: string[] = [];
  for (const { type, revoked } of known) {
    if (revoked) continue;
    const names = type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type];
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}
