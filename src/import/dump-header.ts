/**
 * What a foreign dump says about itself in its first lines: which engine and tool wrote it,
 * their versions, and the source server's version. Only the head is read.
 */
export interface DumpIdentity {
  engine: "mysql" | "postgres";
  format: "plain" | "custom";
  tool: { name: string; version: string } | null;
  serverVersion: string | null;
}

/** The first bytes that identify a dump (its comment header is well inside this). */
export const HEAD_BYTES = 4096;

export function identifyDump(head: Buffer): DumpIdentity | null {
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return { engine: "postgres", format: "custom", tool: null, serverVersion: null };
  const text = head.toString("utf8");
  // mysqldump and mariadb-dump: "-- MySQL dump 10.13  Distrib 8.0.36, for Linux" /
  // "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu" / since 11.x
  // "-- MariaDB dump 10.19-11.4.2-MariaDB, for Linux".
  const my = /^-- (MySQL|MariaDB) dump [\d.]+(?:\s+Distrib |-)([^,\s]+)/m.exec(text);
  if (my) {
    const distrib = my[2] as string;
    // MariaDB's own mysqldump alias says "MySQL dump … Distrib 10.3.39-MariaDB": it is mariadb-dump.
    const mariadb = my[1] === "MariaDB" || /mariadb/i.test(distrib);
    const version = /^[\d.]+/.exec(distrib)?.[0] ?? distrib;
    const server = /^-- Server version\s+(\S+)/m.exec(text)?.[1] ?? null;
    return { engine: "mysql", format: "plain", tool: { name: mariadb ? "mariadb-dump" : "mysqldump", version }, serverVersion: server };
  }
  if (/^-- PostgreSQL database dump\s*$/m.test(text)) {
    const by = /^-- Dumped by pg_dump version (\S+)/m.exec(text)?.[1] ?? null;
    const from = /^-- Dumped from database version (\S+)/m.exec(text)?.[1] ?? null;
    return { engine: "postgres", format: "plain", tool: by ? { name: "pg_dump", version: by } : null, serverVersion: from };
  }
  return null;
}
