import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/list.js";
import { parseSidecar } from "../../src/catalog/read.js";
import { configSchema } from "../../src/config/schema.js";
import { groupBackups, policyFor } from "../../src/retention/groups.js";
import { fakeBackup, type FakeGroup } from "../helpers/fake-backups.js";

/** Which catalogue entries retention groups (and so may ever delete), and which policy applies. */
const app: FakeGroup = { instance: { id: 1, name: "pg-main", type: "postgres" }, kind: "database", database: "app" };

function entry(group: FakeGroup, iso: string, state: CatalogEntry["state"], tweak: (s: Record<string, unknown>) => void = () => undefined): CatalogEntry {
  const b = fakeBackup(group, new Date(iso));
  const raw = JSON.parse(b.sidecar) as Record<string, unknown>;
  tweak(raw);
  const read = parseSidecar(JSON.stringify(raw), b.name);
  if (!read.ok) throw new Error(read.problem);
  const sidecar = state === "complete" || state === "damaged" ? read.sidecar : null;
  return { name: b.name, key: b.key, storage: "local", location: b.key, state, size: b.archive.length, sidecar, problem: null, time: iso };
}

describe("retention groups", () => {
  it("only complete backups of this server form groups: no incomplete, corrupt, damaged, missing-archive, other server's or safety backup", () => {
    const entries = [
      entry(app, "2026-01-01T00:00:00Z", "complete"),
      entry({ ...app, database: "crm" }, "2026-01-01T00:00:00Z", "complete"),
      entry(app, "2026-01-02T00:00:00Z", "incomplete"),
      entry(app, "2026-01-03T00:00:00Z", "corrupt"),
      entry(app, "2026-01-04T00:00:00Z", "damaged"),
      entry(app, "2026-01-05T00:00:00Z", "missing-archive"),
      entry({ ...app, server: "db02" }, "2026-01-06T00:00:00Z", "complete"),
      entry(app, "2026-01-07T00:00:00Z", "complete", (s) => (s.purpose = "safety")),
    ];
    const groups = groupBackups(entries, "db01");
    expect(groups.map((g) => [g.database, g.members.map((m) => m.entry.sidecar.started_at)])).toEqual([
      ["app", ["2026-01-01T00:00:00.000Z"]],
      ["crm", ["2026-01-01T00:00:00.000Z"]],
    ]);
  });

  it("the most specific policy wins whole: the remote's, else the instance's, else the global one", () => {
    const config = configSchema.parse({
      server: { name: "db01" },
      storage: { local: { path: "/b" }, remotes: [{ name: "nas", type: "sftp", host: "h", username: "u", path: "/x", retention: { keep_monthly: 24 } }, { name: "s3", type: "s3", bucket: "b" }] },
      retention: { keep_daily: 7 },
      instances: [
        { id: 1, type: "files", paths: ["/a"], retention: { keep_last: 2 } },
        { id: 2, type: "files", paths: ["/b"] },
      ],
    });
    expect(policyFor(config, "nas", 1)).toMatchObject({ keep_monthly: 24 });
    expect(policyFor(config, "nas", 1)?.keep_last).toBeUndefined();
    expect(policyFor(config, "local", 1)).toMatchObject({ keep_last: 2 });
    expect(policyFor(config, "s3", 1)).toMatchObject({ keep_last: 2 });
    expect(policyFor(config, "local", 2)).toMatchObject({ keep_daily: 7 });
    expect(policyFor(config, "local", 99)).toMatchObject({ keep_daily: 7 });
  });
});
