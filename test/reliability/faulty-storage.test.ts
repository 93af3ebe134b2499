import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { faultyStorage } from "../support/faulty-storage.js";
import { PipelineError } from "../../src/pipeline/core/errors.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";

const text = async (s: Storage, key: string) => new TextDecoder().decode(await s.read(key));

describe("faultyStorage", () => {
  let dir: string;
  let inner: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "faulty-storage-"));
    inner = createLocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("fails only the n-th matching call, before it takes effect, with a storage error naming it", async () => {
    const s = faultyStorage(inner, [{ op: "write", nth: 2 }]);
    await s.write("a.json", "1");
    const error = await s.write("b.json", "2").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toBe('storage: injected write fault on "b.json" (write call #2)');
    await s.write("c.json", "3");
    expect(await inner.list("")).toEqual(["a.json", "c.json"]);
    expect(s.calls.map((c) => `${c.op} ${c.key} ${c.failed}`)).toEqual(["write a.json false", "write b.json true", "write c.json false"]);
    expect(s.failures).toEqual([{ op: "write", key: "b.json", failed: true }]);
  });

  it("counts only calls whose key matches, and fails `times` of them in a row", async () => {
    const s = faultyStorage(inner, [{ op: ["read", "write"], key: /^runs\//, nth: 2, times: 2, message: "disk full" }]);
    await s.write("runs/1.json", "1");
    await s.write("x.json", "x"); // not counted
    await expect(s.write("runs/2.json", "2")).rejects.toThrow(/^storage: disk full$/);
    await expect(s.read("runs/1.json")).rejects.toThrow(/^storage: disk full$/);
    expect(await text(s, "runs/1.json")).toBe("1");
    expect(await inner.list("")).toEqual(["runs/1.json", "x.json"]);
  });

  it("fails every matching call without nth, and exact string keys match exactly", async () => {
    const s = faultyStorage(inner, [{ op: "list", key: "models/" }]);
    await expect(s.list("models/")).rejects.toThrow('storage: injected list fault on "models/" (list call #1)');
    await expect(s.list("models/")).rejects.toThrow("(list call #2)");
    expect(await s.list("models")).toEqual([]);
  });

  it("with when: after, applies the call and then throws (a lost response)", async () => {
    const s = faultyStorage(inner, [{ op: "write", key: "m.json", when: "after" }]);
    await expect(s.write("m.json", "done")).rejects.toThrow('injected write fault on "m.json"');
    expect(await text(inner, "m.json")).toBe("done");
  });

  it("passes everything through without rules, and setFaults replaces the rules and their counts", async () => {
    const s = faultyStorage(inner);
    expect(s.uri).toBe(inner.uri);
    expect(await s.createExclusive("l.json", "1")).toBe(true);
    expect(await s.createExclusive("l.json", "2")).toBe(false);
    expect(await s.exists("l.json")).toBe(true);
    s.setFaults([{ op: "delete", nth: 1 }]);
    await expect(s.delete("l.json")).rejects.toThrow("injected delete fault");
    await s.delete("l.json");
    expect(await s.exists("l.json")).toBe(false);
    s.setFaults([]);
    await s.delete("l.json");
  });
});
