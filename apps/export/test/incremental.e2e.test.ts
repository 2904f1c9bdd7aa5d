/**
 * Incremental runs, end to end (the built CLI against loopback sandboxes): `metadata --modified-since last` writes
 * exactly the objects changed since the previous successful run (objects moved with `sandbox.touch`), a run that
 * fails after planning leaves the watermark where it was, `search --since-column … --since last` reads only the rows
 * at or after the column's maximum as the previous run found it (a DATE_TIME maximum in the first occurrence of a
 * repeated hour from a wall time an hour earlier), `tml --modified-since last` the TML of exactly the
 * objects changed, and a job file's `modifiedSince`/`since` keys. Runs are in-process but for a few processes: a
 * `--modified-since last` run as users run it, the Parquet run that fails for want of DuckDB beside the built CLI,
 * and the runs killed mid-write.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { entryDigest } from "../src/plan/Watermark.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { pauseAtStepPath as pauseAtStep, runCli, runNode } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

let sandbox: RunningSandbox
let data: RunningSandbox

beforeAll(async () => {
  ;[sandbox, data] = await Promise.all([startSandbox(), startSandbox({ rows: 3000, timezone: "UTC" })])
})

afterAll(async () => {
  await sandbox?.close()
  await data?.close()
})

const tempDir = tempFolders("spotpipe-incremental-")

const ndjson = (file: string): Array<Record<string, unknown>> => {
  const text = NodeFs.readFileSync(file, "utf8")
  return text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
}

const marksFile = (dir: string) => NodePath.join(dir, ".spotpipe-state", "watermarks.json")
const marks = (dir: string) =>
  Object.values(
    (
      JSON.parse(NodeFs.readFileSync(marksFile(dir), "utf8")) as {
        exports: Record<string, { kind: string; column?: string; value: string; run_id: string }>
      }
    ).exports
  )

const manifestOf = (dir: string) =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
    run_id: string
    outputs: Array<{ file: string; source: { query: string | null }; watermark?: { value: string } }>
    exports: Array<{ export: string; status: string }>
  }

describe("metadata --modified-since", () => {
  it(
    "last writes exactly the objects changed since the previous successful run; a failed run keeps the watermark",
    timeout,
    async () => {
      const dir = tempDir()
      const env = sandboxEnv(sandbox)
      const args = ["metadata", "--format", "ndjson", "--out", dir, "--quiet", "--force"]
      const metadata = (...more: Array<string>) => runCliInProcess([...args, ...more], { env })
      // As users run it: the built CLI, which has no DuckDB beside it.
      const metadataProcess = (...more: Array<string>) => runCli([...args, ...more], { env })
      const file = NodePath.join(dir, "metadata.ndjson")

      const first = await metadata("--modified-since", "2000-01-01")
      expect(first.code, first.stderr).toBe(0)
      const all = ndjson(file)
      expect(all.length).toBeGreaterThan(5)
      const [mark] = marks(dir)
      expect(mark!.kind).toBe("modified")
      expect(manifestOf(dir).outputs[0]!.watermark?.value).toBe(mark!.value)

      // Nothing changed: the next run writes no object.
      const unchanged = await metadata("--modified-since", "last")
      expect(unchanged.code, unchanged.stderr).toBe(0)
      expect(ndjson(file)).toEqual([])

      const startedFrom = marks(dir)[0]!.value
      // An answer, a liveboard and a table change.
      const chosen = ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"].map((type) => all.find((row) => row["type"] === type)!)
      sandbox.touch(chosen.map((row) => row["id"] as string))
      const second = await metadataProcess("--modified-since", "last")
      expect(second.code, second.stderr).toBe(0)
      const changed = ndjson(file)
      expect(changed.map((row) => row["id"]).sort()).toEqual(chosen.map((row) => row["id"]).sort())
      expect(manifestOf(dir).outputs[0]!.source.query).toBe(`modified >= ${startedFrom}`)
      const afterSecond = NodeFs.readFileSync(marksFile(dir))

      // One more object changes; a run that fails after planning (Parquet without DuckDB beside the CLI) writes
      // nothing and leaves the watermark, so the next run still finds that object.
      const another = all.find((row) => !chosen.includes(row))!
      sandbox.touch([another["id"] as string])
      const failed = await metadataProcess("--modified-since", "last", "--format", "parquet")
      expect(failed.code).toBe(2)
      expect(NodeFs.readFileSync(marksFile(dir)).equals(afterSecond)).toBe(true)
      const third = await metadata("--modified-since", "last")
      expect(third.code, third.stderr).toBe(0)
      expect(ndjson(file).map((row) => row["id"])).toEqual([another["id"]])
    }
  )
})

describe("tml --modified-since", () => {
  it("last writes the TML of exactly the objects changed since the previous successful run", timeout, async () => {
    const own = await startSandbox()
    try {
      const dir = tempDir()
      const env = sandboxEnv(own)
      const tml = (...more: Array<string>) =>
        runCliInProcess(["tml", "--type", "ANSWER,LIVEBOARD", "--out", dir, "--quiet", "--force", ...more], { env })
      const sources = () =>
        manifestOf(dir)
          .outputs.map((o) => (o.source as unknown as { id: string }).id)
          .sort()

      const first = await tml("--modified-since", "2000-01-01")
      expect(first.code, first.stderr).toBe(0)
      const all = sources()
      expect(all.length).toBeGreaterThan(3)
      expect(marks(dir).map((m) => m.kind)).toEqual(["modified"])

      const chosen = [all[0]!, all[all.length - 1]!]
      own.touch(chosen)
      const second = await tml("--modified-since", "last")
      expect(second.code, second.stderr).toBe(0)
      expect(sources()).toEqual([...chosen].sort())
      for (const output of manifestOf(dir).outputs) {
        expect(NodeFs.existsSync(NodePath.join(dir, output.file))).toBe(true)
      }
    } finally {
      await own.close()
    }
  })
})

describe("search --since-column", () => {
  it(
    "reads the rows at or after --since, then with last only those at or after the column's maximum the previous run found",
    timeout,
    async () => {
      const env = sandboxEnv(data)
      const query = "[Order ID] [Order Date] [Revenue]"
      const search = (dir: string, ...more: Array<string>) =>
        runCliInProcess(
          [
            "search",
            "--table",
            "Orders",
            "--query",
            query,
            "--format",
            "ndjson",
            "--out",
            dir,
            "--quiet",
            "--force",
            ...more
          ],
          { env }
        )
      // The reference: every row, unfiltered.
      const full = tempDir()
      expect((await search(full)).code).toBe(0)
      const rows = ndjson(NodePath.join(full, "search-Orders.ndjson"))
      const dated = (since: string) =>
        rows.filter((row) => row["Order Date"] !== null && (row["Order Date"] as string) >= since)

      const dir = tempDir()
      const file = NodePath.join(dir, "search-Orders.ndjson")
      const first = await search(dir, "--since-column", "Order Date", "--since", "2025-06-01")
      expect(first.code, first.stderr).toBe(0)
      expect(ndjson(file)).toEqual(dated("2025-06-01"))
      expect(manifestOf(dir).outputs[0]!.source.query).toBe(`${query} [Order Date] >= '2025-06-01'`)
      const newest = rows
        .map((row) => row["Order Date"] as string | null)
        .reduce((a, b) => (b !== null && (a === null || b > a) ? b : a))
      // The day, and the data time zone it is a day of.
      expect(marks(dir)).toEqual([
        expect.objectContaining({ kind: "column", column: "Order Date", value: `${newest} UTC` })
      ])

      const second = await search(dir, "--since-column", "Order Date", "--since", "last")
      expect(second.code, second.stderr).toBe(0)
      const again = ndjson(file)
      expect(again).toEqual(dated(newest!))
      expect(again.length).toBeGreaterThan(0)
      expect(again.length).toBeLessThan(dated("2025-06-01").length)
      expect(manifestOf(dir).outputs[0]!.source.query).toBe(`${query} [Order Date] >= '${newest}'`)

      // Another column is another export: it has no watermark yet.
      const other = await search(dir, "--since-column", "Shipped At", "--since", "last")
      expect(other.code).toBe(2)
      expect(other.stderr).toContain("--since last needs an earlier successful run of this export")
      const lone = await search(dir, "--since", "last")
      expect(lone.code).toBe(2)
      expect(lone.stderr).toContain("--since-column and --since go together")
    }
  )
})

describe("search --since-column of a text column", () => {
  it(
    "refuses a previous maximum holding a single quote, which the query cannot hold, before any data",
    timeout,
    async () => {
      const env = sandboxEnv(data)
      const dir = tempDir()
      const search = (column: string, since: string) =>
        runCliInProcess(
          [
            ...["search", "--table", "Orders", "--query", "[Customer] [Order ID]", "--format", "ndjson"],
            ...["--since-column", column, "--since", since, "--out", dir, "--quiet", "--force"]
          ],
          { env }
        )
      const first = await search("Order ID", "1")
      expect(first.code, first.stderr).toBe(0)
      // The sandbox filters no text column; a cluster does, and its maximum may be a name like O'Brien: the state
      // a run by [Customer] would have left, made from this run's.
      const state = JSON.parse(NodeFs.readFileSync(marksFile(dir), "utf8")) as {
        exports: Record<string, { column: string; value: string; sha256?: string }>
      }
      // Sealed as a run seals it (an entry edited by hand is refused as such).
      const byCustomer = Object.fromEntries(
        Object.entries(state.exports).map(([id, mark]) => {
          const customer = id.replace('"sinceColumn":"Order ID"', '"sinceColumn":"Customer"')
          const entry = { ...mark, column: "Customer", value: "O'Brien" }
          return [customer, { ...entry, sha256: entryDigest(customer, entry) }]
        })
      )
      expect(Object.keys(byCustomer)[0]).toContain('"sinceColumn":"Customer"')
      NodeFs.writeFileSync(marksFile(dir), JSON.stringify({ ...state, exports: byCustomer }))
      const written = NodeFs.readFileSync(NodePath.join(dir, "search-Orders.ndjson"))

      const next = await search("Customer", "last")
      expect(next.code, next.stderr).toBe(2)
      expect(next.stderr).toContain(
        `the previous run's maximum of [Customer], "O'Brien", holds a single quote, which a search cannot hold in its query`
      )
      expect(next.stderr).toContain("give --since a value without one")
      expect(NodeFs.readFileSync(NodePath.join(dir, "search-Orders.ndjson"))).toEqual(written)
    }
  )
})

describe("search --since-column of a DATE_TIME in a repeated hour", () => {
  it(
    "writes a maximum at the first of its wall time's two occurrences as an earlier wall time, so no reading skips rows",
    timeout,
    async () => {
      // 12 rows whose newest Shipped At is 2025-11-02 01:47:00 PDT: Los Angeles (the sandbox's zone) lives
      // 01:00-01:59 twice that night, and '2025-11-02 01:47:00' read as PST would be an hour after the maximum.
      const fallBack = await startSandbox({ rows: 12, seed: 11033 })
      try {
        const query = "[Order ID] [Shipped At]"
        const dir = tempDir()
        const file = NodePath.join(dir, "search-Orders.ndjson")
        const search = (since: string) =>
          runCliInProcess(
            [
              "search",
              "--table",
              "Orders",
              "--query",
              query,
              "--format",
              "ndjson",
              "--out",
              dir,
              "--quiet",
              "--force"
            ].concat(["--since-column", "Shipped At", "--since", since]),
            { env: sandboxEnv(fallBack) }
          )
        const first = await search("2020-01-01")
        expect(first.code, first.stderr).toBe(0)
        const rows = ndjson(file)
        const at = (row: Record<string, unknown>) => Date.parse(row["Shipped At"] as string)
        const newest = rows.reduce((a, b) => (at(b) > at(a) ? b : a))
        expect(at(newest)).toBe(Date.parse("2025-11-02T01:47:00-07:00"))
        // One hour earlier: a wall time that occurs once, before the maximum.
        const mark = "2025-11-02 00:47:00"
        expect(marks(dir)).toEqual([
          expect.objectContaining({ kind: "column", column: "Shipped At", value: `${mark} America/Los_Angeles` })
        ])

        const second = await search("last")
        expect(second.code, second.stderr).toBe(0)
        expect(manifestOf(dir).outputs[0]!.source.query).toBe(`${query} [Shipped At] >= '${mark}'`)
        const again = ndjson(file)
        expect(again).toEqual(rows.filter((row) => at(row) >= Date.parse("2025-11-02T00:47:00-07:00")))
        expect(again).toContainEqual(newest)
      } finally {
        await fallBack.close()
      }
    }
  )
})

describe("--resume of an incremental run", () => {
  it(
    "continues the interrupted run from its own starting point: last and relative ranges do not move, the written increment is kept",
    timeout,
    async () => {
      // Every request for an answer's data fails: the job's answer export fails after the others succeeded.
      const own = await startSandbox({
        faults: { routes: { "metadata/answer/data": { error500: 1 } }, maxConsecutiveFaults: 1000 }
      })
      try {
        const dir = tempDir()
        const env = sandboxEnv(own)
        const job = (exports: ReadonlyArray<object>) => {
          const path = NodePath.join(dir, `job-${exports.length}.json`)
          NodeFs.writeFileSync(path, JSON.stringify({ defaults: { format: "ndjson" }, exports }))
          return path
        }
        const answers = (modifiedSince: string) => ({
          type: "metadata",
          metadataTypes: ["ANSWER"],
          modifiedSince,
          output: "answers"
        })
        const first = await runCliInProcess(["run", job([answers("2000-01-01")]), "--out", dir, "--quiet"], { env })
        expect(first.code, first.stderr).toBe(0)
        const all = ndjson(NodePath.join(dir, "answers.ndjson"))
        expect(all.length).toBeGreaterThan(1)
        const changed = all[0]!["id"] as string
        own.touch([changed])

        const failing = all[1]!["name"] as string
        const jobB = job([
          answers("last"),
          { type: "audit", since: "2d", until: "1h", output: "audit" },
          { type: "answer", id: failing, output: "failing" }
        ])
        const interrupted = await runCliInProcess(
          ["run", jobB, "--out", dir, "--force", "--quiet", "--deadline", "1", "--timeout", "1"],
          { env }
        )
        expect(interrupted.code, interrupted.stderr).toBe(1)
        expect(ndjson(NodePath.join(dir, "answers.ndjson")).map((row) => row["id"])).toEqual([changed])
        const audit = NodeFs.readFileSync(NodePath.join(dir, "audit.ndjson"))
        const marksAfterB = NodeFs.readFileSync(marksFile(dir), "utf8")

        const resumed = await runCliInProcess(
          ["run", jobB, "--out", dir, "--resume", "--deadline", "1", "--timeout", "1"],
          {
            env
          }
        )
        expect(resumed.code, resumed.stderr).toBe(1)
        // Only the failing answer starts over (it failed before its first checkpoint).
        const restarts = resumed.stderr.split("\n").filter((line) => line.includes("starting over"))
        expect(
          restarts.filter((line) => !line.includes("failing.ndjson")),
          resumed.stderr
        ).toEqual([])
        // The increment the interrupted run wrote is still there, verified and skipped; so is the audit range.
        expect(ndjson(NodePath.join(dir, "answers.ndjson")).map((row) => row["id"])).toEqual([changed])
        expect(NodeFs.readFileSync(NodePath.join(dir, "audit.ndjson")).equals(audit)).toBe(true)
        const byFile = new Map(
          (
            JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
              outputs: Array<{ file: string; resume: string }>
            }
          ).outputs.map((o) => [o.file, o.resume])
        )
        expect(byFile.get("answers.ndjson")).toBe("skipped")
        expect(byFile.get("audit.ndjson")).toBe("skipped")
        // The same watermarks, now recorded by the run whose manifest lists the outputs last.
        const pointsOf = (text: string) =>
          Object.values(
            (JSON.parse(text) as { exports: Record<string, { run_id: string; sha256: string }> }).exports
          ).map(({ run_id, sha256: _, ...point }) => [point, run_id])
        const resumedRun = manifestOf(dir).run_id
        expect(pointsOf(NodeFs.readFileSync(marksFile(dir), "utf8"))).toEqual(
          pointsOf(marksAfterB).map(([point]) => [point, resumedRun])
        )

        // A new run (not a resume) starts from where the interrupted run's increment ended: nothing changed since.
        const next = await runCliInProcess(["run", job([answers("last")]), "--out", dir, "--force", "--quiet"], { env })
        expect(next.code, next.stderr).toBe(0)
        expect(ndjson(NodePath.join(dir, "answers.ndjson"))).toEqual([])
      } finally {
        await own.close()
      }
    }
  )
})

describe("a run killed after writing an output, before its manifest", () => {
  // `before-publish`: an output complete but not yet renamed, which --resume publishes; `before-manifest`: every
  // output published, which --resume verifies and skips. Either way the run wrote the increments, so --resume
  // must record where the next run starts: else `last` reads them again (or finds no earlier run at all).
  for (const step of ["before-publish", "before-manifest"]) {
    it(`--resume records the watermarks of what the killed run wrote (killed at ${step})`, timeout, async () => {
      const env = sandboxEnv(data)
      const dir = tempDir()
      const hold = NodePath.join(tempDir(), "hold")
      const jobFile = (since: string, sinceColumn: string) => {
        const path = NodePath.join(tempDir(), "job.json")
        NodeFs.writeFileSync(
          path,
          JSON.stringify({
            defaults: { format: "ndjson" },
            exports: [
              { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince: since, output: "answers" },
              {
                type: "search",
                table: "Orders",
                query: "[Order ID] [Order Date]",
                sinceColumn: "Order Date",
                since: sinceColumn,
                output: "orders"
              }
            ]
          })
        )
        return path
      }
      const first = jobFile("2000-01-01", "2025-06-01")
      const killed = runNode([pauseAtStep, step, hold, "run", first, "--out", dir, "--quiet"], { env })
      let ended = false
      void killed.then(() => (ended = true))
      while (!NodeFs.existsSync(hold)) {
        if (ended) throw new Error(`the run ended before ${step}: ${(await killed).stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      process.kill(Number(NodeFs.readFileSync(hold, "utf8")), "SIGKILL")
      expect((await killed).signal).toBe("SIGKILL")
      expect(NodeFs.existsSync(NodePath.join(dir, "manifest.json"))).toBe(false)

      const resumed = await runCliInProcess(["run", first, "--out", dir, "--resume", "--quiet"], { env })
      expect(resumed.code, resumed.stderr).toBe(0)
      const outputs = manifestOf(dir).outputs
      expect(outputs.map((o) => o.watermark)).toEqual([expect.anything(), expect.anything()])
      expect(marks(dir).map(({ kind, value }) => ({ kind, value }))).toEqual(
        expect.arrayContaining([
          { kind: "modified", value: outputs[0]!.watermark!.value },
          { kind: "column", value: outputs[1]!.watermark!.value }
        ])
      )
      // The day (before the data time zone the watermark names).
      const newest = outputs[1]!.watermark!.value.split(" ")[0]!
      const written = ndjson(NodePath.join(dir, "orders.ndjson"))
      expect(written.length).toBeGreaterThan(0)

      // The next run reads only what is new: no answer changed, and the orders from the newest date on.
      const next = await runCliInProcess(["run", jobFile("last", "last"), "--out", dir, "--force", "--quiet"], { env })
      expect(next.code, next.stderr).toBe(0)
      expect(ndjson(NodePath.join(dir, "answers.ndjson"))).toEqual([])
      expect(ndjson(NodePath.join(dir, "orders.ndjson"))).toEqual(
        written.filter((row) => row["Order Date"] !== null && (row["Order Date"] as string) >= newest)
      )
    })
  }
})

describe("job file", () => {
  it(
    "modifiedSince and since: last continue each export from its own watermark; a failed export keeps its own",
    timeout,
    async () => {
      const dir = tempDir()
      const job = (since: string, modifiedSince: string, timezone?: string) => {
        const path = NodePath.join(dir, `job-${since}.json`)
        NodeFs.writeFileSync(
          path,
          JSON.stringify({
            defaults: { format: "ndjson", ...(timezone === undefined ? {} : { timezone }) },
            exports: [
              { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince, output: "answers" },
              { type: "audit", since, output: "audit" }
            ]
          })
        )
        return path
      }
      const first = await runCliInProcess(["run", job("2d", "2000-01-01"), "--out", dir, "--quiet"], {
        env: sandboxEnv(sandbox)
      })
      expect(first.code, first.stderr).toBe(0)
      const before = new Map(marks(dir).map((m) => [m.kind, m]))
      expect([...before.keys()].sort()).toEqual(["audit", "modified"])

      // As a user who may not read the audit log: the metadata export succeeds and moves on, the audit export fails
      // and keeps its watermark. (Nor may it read GET system: the job names the sandbox's time zone.)
      const next = await runCliInProcess(
        ["run", job("last", "last", "America/Los_Angeles"), "--out", dir, "--force", "--quiet"],
        { env: sandboxEnv(sandbox, { username: "tsViewer", password: "Viewer@123!" }) }
      )
      expect(next.code, next.stderr).toBe(1)
      expect(manifestOf(dir).exports.map((e) => [e.export, e.status])).toEqual([
        ["answers", "succeeded"],
        ["audit", "failed"]
      ])
      const after = new Map(marks(dir).map((m) => [m.kind, m]))
      expect(after.get("audit")).toEqual(before.get("audit"))
      expect(after.get("modified")!.run_id).toBe(manifestOf(dir).run_id)
      expect(manifestOf(dir).outputs.find((o) => o.file === "answers.ndjson")!.source.query).toBe(
        `modified >= ${before.get("modified")!.value}`
      )
    }
  )

  it(
    "a single command and a job file's export share a watermark when they have the same output name, and only then",
    timeout,
    async () => {
      const dir = tempDir()
      const env = sandboxEnv(sandbox)
      const until = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000).toISOString()
      const single = await runCliInProcess(
        ["audit", "--since", "2d", "--until", until, "--output-name", "audit", "--out", dir, "--quiet"],
        { env }
      )
      expect(single.code, single.stderr).toBe(0)
      const path = NodePath.join(dir, "job.json")
      const runJob = (exports: ReadonlyArray<object>) => {
        NodeFs.writeFileSync(path, JSON.stringify({ defaults: { format: "ndjson" }, exports }))
        return runCliInProcess(["run", path, "--out", dir, "--force", "--quiet"], { env })
      }
      // Without an output name the job's export is another one ("audit-log"): it has no watermark here.
      const unnamed = await runJob([{ type: "audit", since: "last" }])
      // (In a job file that fails the export, not the run: exit 1.)
      expect(unnamed.code).toBe(1)
      expect(unnamed.stderr).toContain('exports[0].since "last" needs an earlier successful run of this export')
      const named = await runJob([{ type: "audit", since: "last", output: "audit" }])
      expect(named.code, named.stderr).toBe(0)
      expect(manifestOf(dir).outputs[0]!.source.query).toMatch(new RegExp(`^${until.replace(/\./g, "\\.")}/`))
    }
  )

  it("refuses a search with sinceColumn but no since, and a bad time", timeout, async () => {
    const dir = tempDir()
    const path = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(
      path,
      JSON.stringify({
        exports: [
          { type: "search", table: "Orders", query: "[Order ID]", sinceColumn: "Order Date" },
          { type: "metadata", metadataTypes: ["ANSWER"], modifiedSince: "yesterday" },
          { type: "audit", since: "last", until: "soon" }
        ]
      })
    )
    const run = await runCliInProcess(["run", path, "--out", dir], { env: sandboxEnv(sandbox) })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("exports[1].modifiedSince: is not a time")
    expect(run.stderr).toContain("exports[2].until: is not a time")
    NodeFs.writeFileSync(
      path,
      JSON.stringify({ exports: [{ type: "search", table: "Orders", query: "[Order ID]", sinceColumn: "Order Date" }] })
    )
    const lone = await runCliInProcess(["run", path, "--out", dir], { env: sandboxEnv(sandbox) })
    expect(lone.code).toBe(2)
    expect(lone.stderr).toContain('exports[0].since: is required with "sinceColumn"')
  })
})
