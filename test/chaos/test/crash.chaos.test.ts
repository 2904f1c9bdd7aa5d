/**
 * Crash suite: the real CLI runs a multi-export job and is killed with SIGKILL — at named points (between a
 * page and its checkpoint, between a checkpoint's fsync and its rename, just before and after an output's
 * rename, before the manifest) and at seeded random moments, sometimes again during the resume — then
 * `spotpipe run --resume` finishes the job. The final files must be byte-identical to an uninterrupted run,
 * every output must hold exactly `available_data_row_count` rows, and nothing may be left behind: no temp
 * files, no resume state. With a request log of its own sandbox, a resumed answer and search must also fetch only
 * the pages after their checkpoint (none of the pages already written). The killed runs are real processes (a
 * SIGKILL is their point); the uninterrupted reference runs and the resumes that read what they left run in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { sandboxEnv } from "../../../apps/export/test/support/Sandboxes.ts"
import { dataFiles, differences, readTree, strays } from "../src/OutputTree.ts"
import { type ProcessRun, runSpotpipe, seededRandom } from "../src/SpotpipeProcess.ts"

const rows = 3_000
let sandbox: RunningSandbox
let env: Record<string, string>
let jobPath: string
let reference: Map<string, Buffer>
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-crash-"))
const tally = { scenarios: 0, kills: 0, resumes: 0, identical: 0 }

const job = {
  defaults: { pageSize: 250 },
  exports: [
    { type: "answer", id: "Order Details" },
    {
      type: "search",
      table: "Orders",
      query: "[Order ID] [Customer] [Product] [Revenue] [Shipped At] sort by [Order ID]",
      format: "ndjson"
    },
    { type: "liveboard", id: "Order Operations", output: "../../etc/passwd" },
    { type: "metadata", metadataTypes: ["ANSWER", "LIVEBOARD", "LOGICAL_TABLE"] },
    // The sandbox's own zone, set in the job: its DATE cells are midnights there.
    { type: "answer", id: "Revenue by Month", format: "ndjson", timezone: "America/Los_Angeles" }
  ]
}

/** A run to be killed is a real process; any other runs in-process (never killed, so `signal` is null). */
const spotpipe = (
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string>; readonly killAtStep?: string; readonly killAfterMillis?: number }
): Promise<ProcessRun> =>
  options.killAtStep === undefined && options.killAfterMillis === undefined
    ? runCliInProcess(args, { env: options.env }).then((run) => ({ ...run, signal: null }))
    : runSpotpipe(args, options)

const run = (out: string, extra: ReadonlyArray<string>, killAtStep?: string, killAfterMillis?: number) =>
  spotpipe(["run", jobPath, "--out", out, "--quiet", "--concurrency", "2", ...extra], {
    env,
    ...(killAtStep === undefined ? {} : { killAtStep }),
    ...(killAfterMillis === undefined ? {} : { killAfterMillis })
  })

/** Resumes until the job completes (at most a few times), then checks the outputs against the reference. */
const finishAndCheck = async (out: string, label: string) => {
  const resumed = await run(out, ["--resume"])
  tally.resumes++
  // Warnings (an output starting over) are fine; anything else on stderr is not.
  expect(
    resumed.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("spotpipe: warning:")),
    label
  ).toEqual([])
  expect(resumed.code, label).toBe(0)
  const tree = readTree(out)
  expect(differences(dataFiles(tree), reference), label).toEqual([])
  expect(strays(tree), label).toEqual([])
  const manifest = JSON.parse(tree.get("manifest.json")!.toString("utf8")) as {
    outputs: ReadonlyArray<{
      file: string
      format: string
      rows_written: number
      available_data_row_count: number | null
    }>
  }
  for (const output of manifest.outputs) {
    if (output.available_data_row_count !== null)
      expect(output.rows_written, output.file).toBe(output.available_data_row_count)
    if (output.format === "ndjson") {
      const lines = tree
        .get(output.file)!
        .toString("utf8")
        .split("\n")
        .filter((l) => l !== "")
      expect(lines.length, output.file).toBe(output.rows_written)
      expect(new Set(lines).size, `${output.file}: duplicate rows`).toBe(lines.length)
    }
  }
  for (const [, bytes] of tree) expect(bytes.includes(fixtures.user.password), label).toBe(false)
  tally.identical++
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows, seed: 17 })
  env = sandboxEnv(sandbox)
  jobPath = NodePath.join(root, "job.json")
  NodeFs.writeFileSync(jobPath, JSON.stringify(job))
  const out = NodePath.join(root, "reference")
  const first = await run(out, [])
  // The one warning: the liveboard's Daily Quantity has no sort by and spans pages.
  const unsortedViz =
    'spotpipe: warning: visualization "Daily Quantity" of liveboard "Order Operations": the visualization\'s saved query has no "sort by"'
  expect(first.stderr.split("\n").filter((l) => l !== "" && !l.startsWith(unsortedViz))).toEqual([])
  expect(first.code).toBe(0)
  reference = dataFiles(readTree(out))
  expect(reference.size).toBe(7)
  expect([...reference.keys()].some((name) => name.includes("etc"))).toBe(true)
  expect([...reference.keys()].every((name) => !name.startsWith(".."))).toBe(true)
})

afterAll(async () => {
  await sandbox?.close()
  console.log(
    `crash suite: ${tally.scenarios} scenarios, ${tally.kills} SIGKILLs, ${tally.resumes} resumes, ${tally.identical} byte-identical completions`
  )
  NodeFs.rmSync(root, { recursive: true, force: true })
})

// Scenarios use their own output directories, so they run side by side (the CLI processes wait on I/O a lot).
describe.concurrent("crash", () => {
  const points = [
    "page-written:3",
    "checkpoint-before-rename:5",
    "checkpoint-written:9",
    "before-publish:1",
    "after-publish:2",
    "before-manifest:1"
  ]
  for (const point of points) {
    it(`sigkill-at-${point.replace(":", "-")}-then-resume-gives-the-reference-files`, async () => {
      tally.scenarios++
      const out = NodePath.join(root, `at-${point.replace(":", "-")}`)
      const killed = await run(out, [], point)
      expect(killed.signal).toBe("SIGKILL")
      tally.kills++
      expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
      await finishAndCheck(out, point)
    })
  }

  it("sigkill-at-seeded-random-moments-even-during-resume-then-resume-gives-the-reference-files", async () => {
    const random = seededRandom(20261127)
    for (let scenario = 0; scenario < 2; scenario++) {
      tally.scenarios++
      const out = NodePath.join(root, `random-${scenario}`)
      // First run, then one resume, each killed somewhere in the 0.4-2.4 s a run takes here.
      for (const extra of [[], ["--resume"]]) {
        const result = await run(out, extra, undefined, 400 + Math.floor(random() * 2_000))
        if (result.signal === "SIGKILL") tally.kills++
        else expect(result.code).toBe(0)
      }
      await finishAndCheck(out, `random scenario ${scenario}`)
    }
  })

  it("a-changed-job-file-restarts-only-the-changed-export", async () => {
    tally.scenarios++
    const out = NodePath.join(root, "changed")
    const killed = await run(out, [], "after-publish:3")
    expect(killed.signal).toBe("SIGKILL")
    tally.kills++
    const changedPath = NodePath.join(root, "job-changed.json")
    const changed = structuredClone(job)
    changed.exports[0] = { ...changed.exports[0]!, format: "ndjson" } as (typeof job.exports)[number]
    NodeFs.writeFileSync(changedPath, JSON.stringify(changed))
    const resumed = await spotpipe(["run", changedPath, "--out", out, "--quiet", "--resume"], { env })
    tally.resumes++
    expect(resumed.code).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(out, "manifest.json"), "utf8")) as {
      outputs: ReadonlyArray<{ file: string; resume: string }>
    }
    const byFile = Object.fromEntries(manifest.outputs.map((o) => [o.file, o.resume]))
    expect(byFile["answer-Order Details.ndjson"]).toBe("written")
    expect(Object.values(byFile).filter((r) => r === "skipped").length).toBeGreaterThan(0)
  })
})

// A resumed export reads the source from its checkpoint on: it must fetch exactly the pages it had not written.
// Its own sandbox, so that the request log holds only this test's CLI runs.
describe("resume from the checkpoint offset", () => {
  const requests: Array<string> = []
  let own: RunningSandbox
  let ownEnv: Record<string, string>
  beforeAll(async () => {
    own = await startSandbox({ rows, seed: 17, log: (line) => requests.push(line) })
    ownEnv = sandboxEnv(own)
  })
  afterAll(async () => {
    await own?.close()
  })

  const cases = [
    { name: "answer", path: "metadata/answer/data", spec: { type: "answer", id: "Order Details" } },
    {
      name: "search",
      path: "searchdata",
      spec: { type: "search", table: "Orders", query: "[Order ID] [Customer] [Revenue] sort by [Order ID]" }
    }
  ]
  for (const { name, path, spec } of cases) {
    it(`a-resumed-${name}-export-fetches-only-the-pages-after-its-checkpoint-and-ends-byte-identical`, async () => {
      tally.scenarios++
      const single = NodePath.join(root, `offset-${name}.json`)
      NodeFs.writeFileSync(
        single,
        JSON.stringify({ defaults: { pageSize: 250 }, exports: [{ ...spec, format: "ndjson" }] })
      )
      const runOwn = (out: string, extra: ReadonlyArray<string>, killAtStep?: string) =>
        spotpipe(["run", single, "--out", out, "--quiet", "--concurrency", "1", ...extra], {
          env: ownEnv,
          ...(killAtStep === undefined ? {} : { killAtStep })
        })
      const dataRequests = () => requests.filter((line) => line.split(" ")[1]?.endsWith(`/${path}`)).length

      const referenceOut = NodePath.join(root, `offset-${name}-reference`)
      requests.length = 0
      expect((await runOwn(referenceOut, [])).code).toBe(0)
      const pages = dataRequests()
      const expected = dataFiles(readTree(referenceOut))
      expect(pages).toBeGreaterThan(6) // enough pages for the kill below to leave some to do

      const out = NodePath.join(root, `offset-${name}`)
      const killed = await runOwn(out, [], "checkpoint-written:4")
      expect(killed.signal).toBe("SIGKILL")
      tally.kills++
      requests.length = 0
      const resumed = await runOwn(out, ["--resume"])
      tally.resumes++
      expect(resumed.code).toBe(0)
      // Four pages were durable at the kill: the resume asks for the rest and nothing before them.
      expect(dataRequests()).toBe(pages - 4)
      const tree = readTree(out)
      expect(differences(dataFiles(tree), expected)).toEqual([])
      expect(strays(tree)).toEqual([])
      const manifest = JSON.parse(tree.get("manifest.json")!.toString("utf8")) as {
        outputs: ReadonlyArray<{ resume: string; rows_written: number; available_data_row_count: number | null }>
      }
      expect(manifest.outputs.map((o) => o.resume)).toEqual(["continued"])
      expect(manifest.outputs[0]!.rows_written).toBe(manifest.outputs[0]!.available_data_row_count)
      tally.identical++
    })
  }

  it("a-single-command-killed-with-resume-continues-from-its-checkpoint-and-ends-byte-identical", async () => {
    tally.scenarios++
    const answer = (out: string, extra: ReadonlyArray<string>, killAtStep?: string) =>
      spotpipe(
        ["answer", "Order Details", "--format", "ndjson", "--page-size", "250", "--out", out, "--quiet", ...extra],
        { env: ownEnv, ...(killAtStep === undefined ? {} : { killAtStep }) }
      )
    const dataRequests = () => requests.filter((line) => line.split(" ")[1]?.endsWith("/metadata/answer/data")).length

    const referenceOut = NodePath.join(root, "single-reference")
    requests.length = 0
    expect((await answer(referenceOut, [])).code).toBe(0)
    const pages = dataRequests()
    const expected = dataFiles(readTree(referenceOut))
    expect(pages).toBeGreaterThan(6)

    const out = NodePath.join(root, "single")
    const killed = await answer(out, ["--resume"], "checkpoint-written:4")
    expect(killed.signal).toBe("SIGKILL")
    tally.kills++
    requests.length = 0
    const resumed = await answer(out, ["--resume"])
    tally.resumes++
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(dataRequests()).toBe(pages - 4)
    const tree = readTree(out)
    expect(differences(dataFiles(tree), expected)).toEqual([])
    expect(strays(tree)).toEqual([])
    const manifest = JSON.parse(tree.get("manifest.json")!.toString("utf8")) as {
      command: string
      outputs: ReadonlyArray<{ resume: string }>
    }
    expect(manifest.command).toBe("answer")
    expect(manifest.outputs.map((o) => o.resume)).toEqual(["continued"])
    tally.identical++
  })
})

// A result that shrank below the checkpoint between the killed run and `--resume`: the client refuses to read
// from past the end, and the output starts over instead of failing every later `--resume` the same way.
describe("a result that shrank before --resume", () => {
  let full: RunningSandbox
  let shrunk: RunningSandbox
  beforeAll(async () => {
    full = await startSandbox({ rows, seed: 17 })
    shrunk = await startSandbox({ rows: 600, seed: 17 })
  })
  afterAll(async () => {
    await full?.close()
    await shrunk?.close()
  })

  it("restarts-the-output-and-ends-byte-identical-to-a-run-of-the-shorter-result", async () => {
    tally.scenarios++
    const jobFile = NodePath.join(root, "shrunk-job.json")
    NodeFs.writeFileSync(
      jobFile,
      JSON.stringify({
        defaults: { pageSize: 250 },
        exports: [
          { type: "search", table: "Orders", query: "[Order ID] [Customer] sort by [Order ID]", output: "orders" }
        ]
      })
    )
    const runAgainst = (out: string, s: RunningSandbox, extra: ReadonlyArray<string>, killAtStep?: string) =>
      spotpipe(["run", jobFile, "--out", out, "--concurrency", "1", ...extra], {
        env: sandboxEnv(s),
        ...(killAtStep === undefined ? {} : { killAtStep })
      })
    const referenceOut = NodePath.join(root, "shrunk-reference")
    expect((await runAgainst(referenceOut, shrunk, ["--quiet"])).code).toBe(0)
    const out = NodePath.join(root, "shrunk")
    // Killed after 4 pages of 250 rows: the checkpoint continues at row 1000, past the shorter result's 600.
    const killed = await runAgainst(out, full, ["--quiet"], "checkpoint-written:4")
    expect(killed.signal).toBe("SIGKILL")
    tally.kills++
    // The same cluster (host and port), its result shorter now: another cluster's outputs would start over anyway.
    await full.close()
    const shrunkThere = await startSandbox({ rows: 600, seed: 17, port: Number(new URL(full.url).port) })
    const resumed = await runAgainst(out, shrunkThere, ["--resume"]).finally(() => shrunkThere.close())
    tally.resumes++
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain(
      "spotpipe: warning: orders.csv: start offset 1000 is past the end of the result, which has 600 rows"
    )
    const tree = readTree(out)
    expect(differences(dataFiles(tree), dataFiles(readTree(referenceOut)))).toEqual([])
    expect(strays(tree)).toEqual([])
    tally.identical++
  })
})

// A setting that changes output bytes, changed between the killed run and `--resume`, restarts the output with
// the new setting: the file must equal an uninterrupted run with the new settings, never half one and half the
// other. The cluster's time zone counts too (here: the resume talks to a sandbox in another zone).
describe.concurrent("a setting changed before --resume", () => {
  let kolkata: RunningSandbox
  let kiritimati: RunningSandbox
  let settingsJob: string
  beforeAll(async () => {
    kolkata = await startSandbox({ rows, seed: 17, timezone: "Asia/Kolkata" })
    kiritimati = await startSandbox({ rows, seed: 17, timezone: "Pacific/Kiritimati" })
    settingsJob = NodePath.join(root, "settings-job.json")
    NodeFs.writeFileSync(
      settingsJob,
      JSON.stringify({
        defaults: { pageSize: 250 },
        exports: [
          {
            type: "search",
            table: "Orders",
            query: "[Order ID] [Customer] [Order Date] [Shipped At] sort by [Order ID]",
            output: "orders"
          }
        ]
      })
    )
  })
  afterAll(async () => {
    await kolkata?.close()
    await kiritimati?.close()
  })

  const cases: ReadonlyArray<{
    readonly name: string
    readonly args: ReadonlyArray<string>
    readonly otherZone?: boolean
    readonly line: string
  }> = [
    { name: "newline", args: ["--newline", "lf"], line: "--newline changed since the interrupted run (crlf → lf)" },
    { name: "period-end", args: ["--period-end"], line: "--period-end changed since the interrupted run (off → on)" },
    {
      name: "datetime-offset",
      args: ["--datetime-offset", "zone"],
      line: "--datetime-offset changed since the interrupted run (utc → zone)"
    },
    {
      name: "cluster-time-zone",
      args: [],
      otherZone: true,
      line: "the data time zone changed since the interrupted run (Asia/Kolkata → Pacific/Kiritimati)"
    }
  ]
  for (const { name, args, otherZone, line } of cases) {
    it(`a-changed-${name}-restarts-the-output-and-ends-byte-identical-to-a-run-with-the-new-setting`, async () => {
      tally.scenarios++
      const runWith = (out: string, extra: ReadonlyArray<string>, s: RunningSandbox, killAtStep?: string) =>
        spotpipe(["run", settingsJob, "--out", out, "--concurrency", "1", ...extra], {
          env: sandboxEnv(s),
          ...(killAtStep === undefined ? {} : { killAtStep })
        })
      const after = otherZone === true ? kiritimati : kolkata
      const referenceOut = NodePath.join(root, `setting-${name}-reference`)
      expect((await runWith(referenceOut, ["--quiet", ...args], after)).code).toBe(0)
      const expected = dataFiles(readTree(referenceOut))
      const oldOut = NodePath.join(root, `setting-${name}-old`)
      expect((await runWith(oldOut, ["--quiet"], kolkata)).code).toBe(0)
      // The setting changes the bytes (else this case would prove nothing).
      expect(differences(dataFiles(readTree(oldOut)), expected)).toEqual(["orders.csv"])

      const out = NodePath.join(root, `setting-${name}`)
      const killed = await runWith(out, ["--quiet"], kolkata, "checkpoint-written:4")
      expect(killed.signal).toBe("SIGKILL")
      tally.kills++
      const resumed = await runWith(out, ["--resume", ...args], after)
      tally.resumes++
      expect(resumed.code, resumed.stderr).toBe(0)
      const tree = readTree(out)
      expect(differences(dataFiles(tree), expected)).toEqual([])
      expect(resumed.stderr).toContain(`orders.csv: ${line}: starting over`)
      expect(strays(tree)).toEqual([])
      tally.identical++
    })
  }
})
