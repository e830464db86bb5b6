import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface TestCerts {
  /** CA certificate that signed the server certificate. */
  ca: string;
  cert: string;
  key: string;
  /** A CA that signed nothing here: verification against it must fail. */
  otherCa: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
export async function makeTestCerts(dir: string): Promise<TestCerts> {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3", "-subj", "/CN=vya test CA");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "3", "-subj", "/CN=vya other CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await writeFile(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "3", "-extfile", "san.ext");
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key"), otherCa: join(dir, "other-ca.pem") };
}
