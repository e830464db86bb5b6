import { describe, expect, it } from "vitest";
import { selectTableEntries, useList } from "../../src/restore/pg-table-select.js";
import type { TocEntry } from "../../src/restore/pg-toc.js";

/** A table of contents shaped like pg_dump 15's (ids and dependencies as it writes them). */
const e = (id: number, desc: string, namespace: string, tag: string, deps: number[] = []): TocEntry => ({ id, desc, namespace, tag, owner: "o", defn: "", deps });
const TOC: TocEntry[] = [
  e(1, "ENCODING", "", "ENCODING"),
  e(6, "SCHEMA", "", "sales"),
  e(7, "SCHEMA", "", "inventory"),
  e(8, "SCHEMA", "", "hist"),
  e(9, "COMMENT", "", "SCHEMA sales", [6]),
  e(848, "TYPE", "sales", "tier", [6]),
  e(223, "TABLE", "public", "metrics"),
  e(225, "TABLE", "hist", "metrics 2023", [223, 8]),
  e(221, "TABLE", "inventory", "items", [7]),
  e(222, "TABLE", "inventory", "orders", [7]),
  e(218, "TABLE", "sales", "customers", [848, 6]),
  e(217, "SEQUENCE", "sales", "customers_id_seq", [6, 218]),
  e(220, "TABLE", "sales", "orders", [6]),
  e(3229, "TABLE ATTACH", "hist", "metrics 2023", [225, 223]),
  e(3230, "DEFAULT", "sales", "customers id", [217, 218, 218]),
  e(3393, "TABLE DATA", "hist", "metrics 2023", [225]),
  e(3390, "TABLE DATA", "inventory", "items", [221]),
  e(3387, "TABLE DATA", "sales", "customers", [218]),
  e(3389, "TABLE DATA", "sales", "orders", [220]),
  e(3233, "CONSTRAINT", "sales", "customers customers_pkey", [218]),
  e(3238, "INDEX", "public", "metrics_v_idx", [223]),
  e(3240, "INDEX", "hist", "metrics 2023_v_idx", [3238, 225, 225]),
  e(3242, "INDEX ATTACH", "hist", "metrics 2023_v_idx", [3240, 3238, 225, 223]),
  e(3243, "FK CONSTRAINT", "sales", "orders orders_customer_id_fkey", [218, 220, 3233]),
];
const fresh = { targetSchemas: new Set(["public"]), newDatabase: true };

describe("--tables selection", () => {
  it("a qualified and a bare name (unique across schemas): their schemas, type, sequence, default, data, constraint", () => {
    const s = selectTableEntries(TOC, ["sales.customers", "items"], fresh);
    expect(s.ids).toEqual([6, 7, 9, 848, 221, 218, 217, 3230, 3390, 3387, 3233]);
    expect(s.tables).toEqual([{ schema: "inventory", name: "items" }, { schema: "sales", name: "customers" }]);
    expect(s.skipped).toEqual([]);
  });

  it("a partitioned parent brings its partitions (another schema too), their data and attached indexes", () => {
    const s = selectTableEntries(TOC, ["public.metrics"], fresh);
    expect(s.ids).toEqual([8, 223, 225, 3229, 3393, 3238, 3240, 3242]);
  });

  it("an existing database: schemas it has and the types in them are not re-created", () => {
    const s = selectTableEntries(TOC, ["sales.customers"], { targetSchemas: new Set(["public", "sales"]), newDatabase: false });
    expect(s.ids).toEqual([218, 217, 3230, 3387, 3233]);
  });

  it("a foreign key to a table left out is skipped and named", () => {
    const s = selectTableEntries(TOC, ["sales.orders"], fresh);
    expect(s.ids).toEqual([6, 9, 220, 3389]);
    expect(s.skipped).toEqual(["FK CONSTRAINT sales.orders orders_customer_id_fkey: needs TABLE sales.customers, CONSTRAINT sales.customers customers_pkey (not restored)"]);
  });

  it("ambiguous and unknown names are usage errors naming the candidates", () => {
    expect(() => selectTableEntries(TOC, ["orders"], fresh)).toThrow(/"orders" names 2 tables: inventory\.orders, sales\.orders/);
    expect(() => selectTableEntries(TOC, ["public.Items"], fresh)).toThrow(/no table "public.Items" .*did you mean inventory\.items/);
    expect(useList([6, 7])).toBe("6;\n7;\n");
  });
});
