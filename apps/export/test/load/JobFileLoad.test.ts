/**
 * A job file's `load` block: checked with the rest of the file (strict keys, modes, merge keys), a password in its
 * URL or inline is refused without the value appearing in the message.
 */
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { parseJobFile } from "../../src/plan/JobFile.ts"

const exports = [{ type: "answer", id: "Revenue by Month" }]
const parse = (load: unknown) => parseJobFile(JSON.stringify({ exports, load }), "job.json")
const problems = (load: unknown): string => {
  const parsed = parse(load)
  if (Exit.isSuccess(parsed)) throw new Error("expected the job file to be refused")
  const failure = parsed.cause.reasons.find((r) => r._tag === "Fail")
  return failure?._tag === "Fail" ? failure.error.message : ""
}

describe("job file load block", () => {
  it("is read with its defaults left to the load", () => {
    const parsed = parse({ into: "duckdb:warehouse.duckdb" })
    expect(Exit.isSuccess(parsed) && parsed.value.load).toEqual({ into: "duckdb:warehouse.duckdb" })
    const merge = parse({ into: "postgresql://loader@db/analytics", mode: "merge", key: ["Order ID"] })
    expect(Exit.isSuccess(merge) && merge.value.load?.key).toEqual(["Order ID"])
  })

  it("refuses unknown keys, unknown modes and a key without merge (or merge without a key)", () => {
    expect(problems({ into: "duckdb:w.duckdb", table: "x" })).toContain("load.table: unknown key")
    expect(problems({ into: "duckdb:w.duckdb", mode: "upsert" })).toContain("load.mode")
    expect(problems({ into: "duckdb:w.duckdb", mode: "merge" })).toContain('"key" goes with "mode": "merge"')
    expect(problems({ into: "duckdb:w.duckdb", key: ["id"] })).toContain('"key" goes with "mode": "merge"')
    expect(problems({ into: "mysql://db/x" })).toContain("unknown load target")
  })

  it("refuses a URL query parameter a load would not honour, and passwordEnv for a DuckDB file", () => {
    const typo = problems({ into: "postgresql://loader@db/analytics?sslmod=verify-full" })
    expect(typo).toContain("load.into")
    expect(typo).toContain('did you mean "sslmode"?')
    expect(problems({ into: "postgresql://loader@db/analytics?sslmode=bogus" })).toContain("is not a valid sslmode")
    expect(problems({ into: "duckdb:w.duckdb", passwordEnv: "WH_PW" })).toContain(
      '"passwordEnv" is for a PostgreSQL "into"'
    )
  })

  it("refuses a password in the URL or inline without repeating it", () => {
    const inUrl = problems({ into: "postgresql://loader:hunter2-url@db/analytics" })
    expect(inUrl).toContain("load.into")
    expect(inUrl).toContain("holds a password")
    expect(inUrl).not.toContain("hunter2-url")
    const inline = problems({ into: "postgresql://loader@db/analytics", password: "hunter2-inline" })
    expect(inline).toContain("load.password")
    expect(inline).not.toContain("hunter2-inline")
  })
})
