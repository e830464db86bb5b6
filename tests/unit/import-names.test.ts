import { describe, expect, it } from "vitest";
import { identifyDump } from "../../src/import/dump-header.js";
import { parseLegacyName, wallTimeToDate } from "../../src/import/legacy-name.js";

describe("the old tool's archive names", () => {
  it("reads the wall-clock time and the label, including labels with underscores", () => {
    expect(parseLegacyName("20210922_162528_app_prod.zip")).toEqual({ wall: { year: 2021, month: 9, day: 22, hour: 16, minute: 25, second: 28 }, label: "app_prod", format: "zip" });
    expect(parseLegacyName("20210922_162528_files.tar.gz")?.format).toBe("tar.gz");
    expect(parseLegacyName("app_20210922T162528000Z_ab12cd.zip")).toBeNull();
    expect(parseLegacyName("20211322_162528_x.zip")).toBeNull();
  });

  it("turns wall time into UTC in the zone given, across daylight saving", () => {
    const wall = { year: 2021, month: 9, day: 22, hour: 16, minute: 25, second: 28 };
    expect(wallTimeToDate(wall, "UTC").toISOString()).toBe("2021-09-22T16:25:28.000Z");
    expect(wallTimeToDate(wall, "Europe/Berlin").toISOString()).toBe("2021-09-22T14:25:28.000Z");
    expect(wallTimeToDate({ ...wall, month: 1 }, "Europe/Berlin").toISOString()).toBe("2021-01-22T15:25:28.000Z");
    expect(wallTimeToDate(wall, "America/Sao_Paulo").toISOString()).toBe("2021-09-22T19:25:28.000Z");
  });
});

describe("what a foreign dump says about itself", () => {
  it("Oracle mysqldump 8, MariaDB's mysqldump alias and mariadb-dump", () => {
    expect(identifyDump(Buffer.from("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: app\n-- Server version\t8.0.36\n"))).toEqual({
      engine: "mysql",
      format: "plain",
      tool: { name: "mysqldump", version: "8.0.36" },
      serverVersion: "8.0.36",
    });
    expect(identifyDump(Buffer.from("-- MySQL dump 10.19  Distrib 10.3.39-MariaDB, for debian-linux-gnu (x86_64)\n"))?.tool).toEqual({ name: "mariadb-dump", version: "10.3.39" });
    expect(identifyDump(Buffer.from("/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19-11.4.2-MariaDB, for Linux\n"))?.tool).toEqual({ name: "mariadb-dump", version: "11.4.2" });
    expect(identifyDump(Buffer.from("/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19  Distrib 10.11.8-MariaDB, for debian-linux-gnu (x86_64)\n"))?.tool).toEqual({ name: "mariadb-dump", version: "10.11.8" });
  });

  it("pg_dump plain and custom; anything else is not a dump", () => {
    const plain = identifyDump(Buffer.from("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 13.4\n-- Dumped by pg_dump version 13.4 (Debian 13.4-1)\n"));
    expect(plain).toEqual({ engine: "postgres", format: "plain", tool: { name: "pg_dump", version: "13.4" }, serverVersion: "13.4" });
    expect(identifyDump(Buffer.from("PGDMP\x01\x0e\x00"))?.format).toBe("custom");
    expect(identifyDump(Buffer.from("#!/bin/sh\nrm -rf /\n"))).toBeNull();
  });
});
