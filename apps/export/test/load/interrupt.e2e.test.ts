/**
 * A load interrupted (Ctrl-C) says what it left: the table being loaded rolled back, the tables before it loaded —
 * not the export's "no partial file was published". The CLI runs in this process and is interrupted from the
 * load's own hook just before a table's COMMIT, into DuckDB and into PostgreSQL (PGlite over the wire protocol);
 * the table and the load record are then as they were.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { ConfigProvider, Effect, Exit, Fiber, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { program } from "../../src/cli/Program.ts"
import { StepProbe } from "../../src/engine/Run.ts"
import { type LoadFixture, startLoadFixture } from "./support/LoadFixture.ts"
import { cli, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import type { PgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-interrupt-"))
const run = NodePath.join(root, "run")
let fixture: LoadFixture
let server: PgliteServer
let env: Record<string, string>

beforeAll(async () => {
  fixture = await startLoadFixture({
    rows: 500,
    seed: 7,
    run,
    exports: [{ type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity", "Order Timeline"] }]
  })
  ;({ server, env } = fixture)
}, 120_000)

afterAll(async () => {
  await fixture?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** `spotpipe args…` in this process, interrupted when its load is about to commit its second table. */
const interruptedLoad = (args: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      let commits = 0
      const self: { fiber?: Fiber.Fiber<number, unknown> } = {}
      const probe = (step: string) =>
        Effect.sync(() => {
          if (step === "load-before-commit" && ++commits === 2) self.fiber?.interruptUnsafe()
        })
      self.fiber = yield* Effect.forkChild(program(args).pipe(Effect.provideService(StepProbe, probe)))
      const exit = yield* Fiber.await(self.fiber)
      const stderr = (yield* TestConsole.errorLines).map(String).join("\n")
      return { interrupted: Exit.hasInterrupts(exit), stderr }
    }).pipe(
      Effect.provide(
        Layer.mergeAll(NodeServices.layer, TestConsole.layer, ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
      )
    )
  )

type Query = (sql: string) => Promise<Array<Array<unknown>>>
const engines = [
  {
    name: "duckdb",
    into: () => `duckdb:${NodePath.join(root, "w.duckdb")}`,
    open: <A>(use: (q: Query) => Promise<A>) => withDuckDb(NodePath.join(root, "w.duckdb"), use)
  },
  {
    name: "postgres",
    into: () => server.url,
    open: <A>(use: (q: Query) => Promise<A>) => withPostgres(server.url, use)
  }
]

describe.each(engines)("a load into $name interrupted before a COMMIT", (engine) => {
  it("says the table being loaded was rolled back, and it was", async () => {
    const loaded = await cli(["load", run, "--into", engine.into(), "--quiet"], env)
    expect(loaded.code).toBe(0)
    const tables = ["liveboard_order_operations__daily_quantity", "liveboard_order_operations__order_timeline"]
    const snapshot = () =>
      engine.open(async (q) => ({
        rows: await Promise.all(tables.map(async (t) => Number((await q(`SELECT count(*) FROM "${t}"`))[0]![0]))),
        loads: Number((await q("SELECT count(*) FROM spotpipe_loads"))[0]![0])
      }))
    const before = await snapshot()
    const interrupted = await interruptedLoad(["load", run, "--into", engine.into(), "--mode", "append"])
    expect(interrupted.interrupted).toBe(true)
    expect(interrupted.stderr).toContain(
      "spotpipe: interrupted; the table being loaded was rolled back, and the table liveboard_order_operations__daily_quantity loaded before it stays loaded: load again to load them all"
    )
    expect(interrupted.stderr).not.toContain("no partial file")
    // PGlite is one backend for every connection: wait until it has rolled back the dropped one.
    for (let waited = 0; engine.name === "postgres" && server.db.isInTransaction() && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const after = await snapshot()
    // The first table's append was committed before the interruption; the second's was not.
    expect(after.rows).toEqual([before.rows[0]! * 2, before.rows[1]])
    expect(after.loads).toBe(before.loads + 1)
  }, 120_000)
})

describe("a job's load interrupted before a COMMIT", () => {
  it("names the table that stays loaded and gives one next step, the run's --resume, which loads them all", async () => {
    const dir = NodeFs.mkdtempSync(NodePath.join(root, "job-"))
    const job = NodePath.join(dir, "jl.json")
    const database = NodePath.join(dir, "w.duckdb")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity", "Order Timeline"] }],
        load: { into: `duckdb:${database}` }
      })
    )
    const out = NodePath.join(dir, "jl")
    const interrupted = await interruptedLoad(["run", job, "--out", out])
    expect(interrupted.interrupted).toBe(true)
    const resume = `spotpipe run ${job} --out ${out} --resume`
    expect(interrupted.stderr).toContain(
      `spotpipe: interrupted; the table being loaded was rolled back, and the table liveboard_order_operations__daily_quantity loaded before it stays loaded: continue the run (below) to load them all\nrun "${resume}" to continue`
    )
    expect(interrupted.stderr).not.toContain("load again")
    const resumed = await cli(resume.split(" ").slice(1), env)
    expect(resumed.code, resumed.stderr).toBe(0)
    const counts = await withDuckDb(database, async (q) =>
      Promise.all(
        ["liveboard_order_operations__daily_quantity", "liveboard_order_operations__order_timeline"].map(async (t) =>
          Number((await q(`SELECT count(*) FROM "${t}"`))[0]![0])
        )
      )
    )
    expect(counts.every((n) => n > 0)).toBe(true)
  }, 120_000)
})
