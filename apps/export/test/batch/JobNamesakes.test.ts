/**
 * A job file's default output names that collide are told apart by each export's identity (what it reads and its
 * settings as they resolve), never by its place in the job: reordering, adding or removing other exports moves no
 * name, and a name given as `output` is the user's, never changed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Exit } from "effect"
import { type Job, JobFileError, parseJobFile } from "../../src/plan/JobFile.ts"

const ok = (document: unknown): Job => {
  const exit = parseJobFile(JSON.stringify(document), "job.json")
  if (Exit.isFailure(exit)) throw new Error(`expected a valid job: ${String(exit.cause)}`)
  return exit.value
}

const problems = (document: unknown) => {
  const exit = parseJobFile(JSON.stringify(document), "job.json")
  if (Exit.isSuccess(exit)) throw new Error("expected the job file to be refused")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error("expected a typed failure")
  expect(error.error).toBeInstanceOf(JobFileError)
  return error.error.problems
}

const keysOf = (exports: ReadonlyArray<object>, defaults: object = {}) =>
  ok({ defaults, exports }).exports.map((e) => e.key!)

const monthly = { type: "answer", id: "Revenue by Month" }
const monthlyUtc = { type: "answer", id: "Revenue by Month", timezone: "UTC" }
const hashed = /^answer-Revenue by Month \[[0-9a-f]{8}\]$/

describe("namesake exports of a job file", () => {
  it("keep their names when the job lists them the other way round", () => {
    const [plain, utc] = keysOf([monthly, monthlyUtc])
    expect(plain).toMatch(hashed)
    expect(utc).toMatch(hashed)
    expect(plain).not.toBe(utc)
    expect(keysOf([monthlyUtc, monthly])).toEqual([utc, plain])
  })

  it("keep their names when other exports are added or removed", () => {
    const [plain, utc] = keysOf([monthly, monthlyUtc])
    const more = keysOf([
      { type: "answer", id: "Other" },
      { ...monthly, format: "ndjson" },
      monthlyUtc,
      { type: "answer", id: "Revenue by Month", output: "monthly" },
      monthly
    ])
    expect(more[2]).toBe(utc)
    expect(more[4]).toBe(plain)
    expect(more[1]).toMatch(hashed)
    expect(new Set(more).size).toBe(more.length)
    // One left of its name: it is named plainly (as an object alone of its name is).
    expect(keysOf([monthly, { type: "answer", id: "Other" }])).toEqual(["answer-Revenue by Month", "answer-Other"])
  })

  it("are told apart by their settings as they resolve, not by where a setting is written", () => {
    const written = keysOf([monthly, monthlyUtc])
    const fromDefaults = keysOf([monthly, { ...monthly, timezone: "America/New_York" }], { timezone: "UTC" })
    expect(fromDefaults[0]).toBe(written[1])
  })

  it("keep a liveboard's name whatever order its visualizations are listed in", () => {
    const sales = (visualizations: ReadonlyArray<string>) => ({
      type: "liveboard",
      id: "Sales Overview",
      visualizations
    })
    const other = { type: "liveboard", id: "Sales Overview", visualizations: ["Weekly Shipments"] }
    const [forward] = keysOf([sales(["Revenue by Month", "Revenue by Region"]), other])
    const [reversed] = keysOf([sales(["Revenue by Region", "Revenue by Month"]), other])
    expect(forward).toMatch(/^liveboard-Sales Overview \[[0-9a-f]{8}\]$/)
    expect(reversed).toBe(forward)
  })

  it("take the slug form of the hash, each in its own file-name style", () => {
    const [slug, plain] = keysOf([
      { type: "tml", fileNames: "slug" },
      { type: "tml", fileNames: "original" }
    ])
    expect(slug).toMatch(/^tml_[0-9a-f]{8}$/)
    expect(plain).toMatch(/^tml \[[0-9a-f]{8}\]$/)
    const parts = ok({ exports: [{ ...monthly, split: 2 }, monthlyUtc] }).exports.map((e) => e.key!)
    expect(parts[0]).toMatch(/^answer-Revenue by Month \[[0-9a-f]{8}\]\.part-0001-of-0002$/)
    expect(parts[1]).toBe(`${parts[0]!.split(".part-")[0]}.part-0002-of-0002`)
  })

  it("never change a name given as output, wherever it stands in the job", () => {
    const [, utc] = keysOf([monthly, monthlyUtc])
    for (const order of [
      [{ type: "answer", id: "Other", output: utc }, monthly, monthlyUtc],
      [monthly, monthlyUtc, { type: "answer", id: "Other", output: utc }]
    ]) {
      const keys = keysOf(order)
      const given = order.findIndex((spec) => "output" in spec)
      expect(keys[given]).toBe(utc)
      // The default name it takes is numbered instead: the user's stays as written.
      expect(keys[order.indexOf(monthlyUtc)]).toBe(`${utc} (2)`)
      expect(new Set(keys).size).toBe(keys.length)
    }
  })

  it("keep their names from a first run's starting point to where the last run left off", () => {
    const incremental = { ...monthly, sinceColumn: "Month(Order Date)" }
    const first = keysOf([
      { ...incremental, since: "2025-01-01" },
      { ...incremental, since: "2025-01-01", format: "ndjson" }
    ])
    const later = keysOf([
      { ...incremental, since: "last" },
      { ...incremental, since: "last", format: "ndjson" }
    ])
    expect(first[0]).toMatch(hashed)
    expect(later).toEqual(first)
  })

  it("that differ only in where they start are refused: only their order could tell them apart", () => {
    const audit = (since: string) => ({ type: "audit", since })
    expect(problems({ exports: [audit("30d"), audit("7d")] })).toEqual([
      {
        path: "exports[1]",
        message:
          'differs from exports[0] only in where it starts ("since", "modifiedSince" or "until"), so their files could be told apart only by their order in the job, and a reordered job would swap them: give each its own "output"'
      }
    ])
    expect(keysOf([audit("30d"), { ...audit("7d"), output: "last-week" }])).toEqual(["audit-log", "last-week"])
  })
})
