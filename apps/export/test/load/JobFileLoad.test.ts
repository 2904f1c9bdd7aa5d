/**
 * A job file's `load` block: checked with the rest of the file (strict keys, modes, merge keys), a password in its
 * URL or inline is refused without the value appearing in the message.
 */
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { type Job, parseJobFile } from "../../src/plan/JobFile.ts"

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
    expect(problems({ into: "duckdb:w.duckdb", mode: "merge" })).toContain(
      'load: "mode": "merge" needs the key columns rows are matched on'
    )
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

  it("says what to write in the job file's words, not with flags a job file cannot take", () => {
    const unknown = problems({ into: "sqlite:x" })
    expect(unknown).toContain(
      'load.into: unknown load target: use "into": "duckdb:FILE" or "into": "postgresql://user@host:port/database"'
    )
    expect(problems({ into: "duckdb:" })).toContain('e.g. "into": "duckdb:warehouse.duckdb"')
    const password = problems({ into: "postgresql://loader:hunter2@db/analytics" })
    expect(password).toContain('set PGPASSWORD, or name the variable that holds it with "passwordEnv"')
    for (const said of [unknown, password]) {
      expect(said).not.toContain("--into")
      expect(said).not.toContain("--password-file")
    }
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

  describe("a merge key per export (loadKey)", () => {
    const job = (document: object) => parseJobFile(JSON.stringify(document), "job.json")
    const refused = (document: object): string => {
      const parsed = job(document)
      if (Exit.isSuccess(parsed)) throw new Error("expected the job file to be refused")
      const failure = parsed.cause.reasons.find((r) => r._tag === "Fail")
      return failure?._tag === "Fail" ? failure.error.message : ""
    }
    const valid = (document: object): Job => {
      const parsed = job(document)
      if (Exit.isFailure(parsed)) throw new Error(String(parsed.cause))
      return parsed.value
    }
    const merge = { into: "duckdb:w.duckdb", mode: "merge" }

    it("takes each export's own key, or the load's for the others", () => {
      const parsed = valid({
        exports: [
          { type: "metadata", metadataTypes: ["ANSWER"], loadKey: ["id"] },
          { type: "answer", id: "Revenue by Month" }
        ],
        load: { ...merge, key: ["Month(Order Date)"] }
      })
      expect(parsed.exports.map((e) => ("loadKey" in e.spec ? e.spec.loadKey : undefined))).toEqual([["id"], undefined])
    })

    it("is no part of what an export writes: its fingerprint (and so resume) does not change", () => {
      const exports = [{ type: "answer", id: "Revenue by Month" }]
      const without = valid({ exports, load: { ...merge, key: ["Month"] } })
      const withKey = valid({ exports: [{ ...exports[0], loadKey: ["Month"] }], load: merge })
      expect(withKey.exports[0]!.fingerprint).toBe(without.exports[0]!.fingerprint)
      expect(withKey.fingerprint).toBe(without.fingerprint)
    })

    it("is refused without a merge, on a TML export, and with a column named twice", () => {
      const answer = { type: "answer", id: "A", loadKey: ["Month"] }
      expect(refused({ exports: [answer] })).toContain(
        'exports[0].loadKey: is the key this export\'s tables are merged by, and the job has no "load"'
      )
      expect(refused({ exports: [answer], load: { into: "duckdb:w.duckdb" } })).toContain(
        '("mode" is replace): remove it, or set "mode": "merge" in "load"'
      )
      expect(refused({ exports: [{ type: "tml", loadKey: ["id"] }], load: merge })).toContain(
        'exports[0].loadKey: unknown key here: "loadKey" is for'
      )
      expect(refused({ exports: [{ ...answer, loadKey: ["Month", "Month"] }], load: merge })).toContain(
        "exports[0].loadKey: names a column more than once"
      )
      expect(refused({ exports: [answer], load: { ...merge, key: ["a", "a"] } })).toContain(
        "load.key: names a column more than once"
      )
    })

    it("says which export has no key when others have one, and a column an audit export's file lacks", () => {
      const message = refused({
        exports: [
          { type: "answer", id: "A", loadKey: ["Month"] },
          { type: "answer", id: "B" },
          { type: "audit", since: "30d", loadKey: ["ID"] }
        ],
        load: merge
      })
      expect(message).toContain('exports[1]: has no "loadKey", and "load" has no "key"')
      expect(message).toContain(
        'exports[2].loadKey: names a column "ID" (did you mean "id"?) that an audit export\'s file does not have'
      )
      expect(message).not.toContain("exports[0]")
    })
  })
})
