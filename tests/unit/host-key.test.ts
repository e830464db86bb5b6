import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkHostKey, fingerprintSha256, hostKeyAlgorithms, parseKnownHosts, sameFingerprint } from "../../src/storage/host-key.js";

const key = randomBytes(51);
const other = randomBytes(51);
const b64 = (b: Buffer) => b.toString("base64");
const expectFor = (extra: { sha256?: string } = {}) => ({ host: "nas.local", port: 2222, knownHostsFiles: ["/etc/known"], ...extra });

describe("fingerprints", () => {
  it("prints SHA256:<unpadded base64> as ssh-keygen -lf does", () => {
    const fp = fingerprintSha256(key);
    expect(fp).toBe(`SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`);
    expect(fp).not.toMatch(/=$/);
  });

  it("compares with or without the SHA256: prefix and padding, but exactly otherwise", () => {
    const fp = fingerprintSha256(key);
    expect(sameFingerprint(fp, fp)).toBe(true);
    expect(sameFingerprint(fp.slice("SHA256:".length), fp)).toBe(true);
    expect(sameFingerprint(`${fp}=`, fp)).toBe(true);
    expect(sameFingerprint(fp.toLowerCase(), fp)).toBe(false);
  });
});

describe("checkHostKey with a pinned fingerprint", () => {
  it("accepts the pinned key", () => {
    expect(checkHostKey(key, expectFor({ sha256: fingerprintSha256(key) }), [])).toBeNull();
  });

  it("refuses another key, naming the fingerprint it saw", () => {
    const refusal = checkHostKey(other, expectFor({ sha256: fingerprintSha256(key) }), []);
    expect(refusal).toContain("host key mismatch");
    expect(refusal).toContain(fingerprintSha256(other));
  });
});

describe("known_hosts", () => {
  const hashed = (name: string) => {
    const salt = randomBytes(20);
    return `|1|${b64(salt)}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  };

  it("matches plain names with [host]:port, patterns and hashed names; skips comments and other hosts", () => {
    const text = [
      "# comment",
      `other.host ssh-ed25519 ${b64(other)}`,
      `[nas.local]:2222 ssh-ed25519 ${b64(key)} comment`,
      `nas.local ssh-rsa ${b64(other)}`, // port 22 entry: not ours
      `*.local,!nas.local ecdsa-sha2-nistp256 ${b64(other)}`,
      `${hashed("[nas.local]:2222")} ssh-rsa ${b64(key)}`,
    ].join("\n");
    const found = parseKnownHosts(text, "nas.local", 2222);
    expect(found.map((k) => k.type)).toEqual(["ssh-ed25519", "ssh-rsa"]);
    expect(hostKeyAlgorithms(found)).toEqual(["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });

  it("accepts a listed key, refuses an unlisted one and a revoked one", () => {
    const known = parseKnownHosts(`[nas.local]:2222 ssh-ed25519 ${b64(key)}\n@revoked * ssh-ed25519 ${b64(other)}`, "nas.local", 2222);
    expect(checkHostKey(key, expectFor(), known)).toBeNull();
    expect(checkHostKey(other, expectFor(), known)).toMatch(/@revoked/);
    const third = randomBytes(51);
    const refusal = checkHostKey(third, expectFor(), known);
    expect(refusal).toContain("host key mismatch");
    expect(refusal).toContain(fingerprintSha256(third));
  });

  it("refuses a host that is not listed at all and says what to pin", () => {
    const refusal = checkHostKey(key, expectFor(), []);
    expect(refusal).toContain(`host_key_sha256: "${fingerprintSha256(key)}"`);
    expect(refusal).toContain("[nas.local]:2222");
  });
});
