/**
 * End to end: the real `spotpipe` process against sandboxes started here on port 0. Golden files (under
 * `fixtures/golden/`) pin the exact bytes for the small fixed dataset of `@spotpipe/sandbox` — quotes, commas,
 * newlines, Unicode, nulls, big INT64s, DATE/DATE_TIME/TIME, epoch and Custom Calendar cells, a zone west
 * (America/Los_Angeles) and east (Asia/Kolkata) of UTC. Set SPOTPIPE_UPDATE_GOLDEN=1 to rewrite them after a
 * deliberate change, then review the diff. Runs are in-process (runCliInProcess) except those where the process is
 * the point: data on stdout (`--out -`), `spotpipe sandbox` and Ctrl-C, the demo without DuckDB, and a secret in
 * a token or wrong password that must not reach what the process prints.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Schema } from "effect"
import { Manifest, runManifestPattern } from "../src/output/Manifest.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { mainPath, runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const goldenDir = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "fixtures", "golden")
const update = process.env["SPOTPIPE_UPDATE_GOLDEN"] === "1"
const secretKey = "e2e-secret-key-7Hq2Xw9"
const timeout = { timeout: 60_000 }

const tempDir = tempFolders("spotpipe-e2e-")

/** Compares `actual` with the golden file `name` (or writes it when updating). */
const expectGolden = (name: string, actual: Buffer | string) => {
  const path = NodePath.join(goldenDir, name)
  if (update) {
    NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
    NodeFs.writeFileSync(path, actual)
  }
  expect(Buffer.from(actual).equals(NodeFs.readFileSync(path)), `${name} differs from its golden file`).toBe(true)
}

// Everything any run printed or wrote, scanned for secrets at the end.
const seen: Array<string> = []
const tokens: Array<string> = []
const record = <R extends { readonly stdout: string; readonly stderr: string }>(run: R, dir?: string): R => {
  seen.push(run.stdout, run.stderr)
  if (dir !== undefined) for (const f of listFiles(dir)) seen.push(NodeFs.readFileSync(NodePath.join(dir, f), "utf8"))
  return run
}

/** Every file under `dir` (paths relative to it, sorted), each run's own manifest shown as `manifest-<run>.json`. */
const listFiles = (dir: string): Array<string> =>
  NodeFs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => NodePath.relative(dir, NodePath.join(entry.parentPath, entry.name)))
    .sort()

/** {@link listFiles} with each run's own manifest shown as `manifest-<run>.json`. */
const listing = (dir: string): Array<string> =>
  listFiles(dir)
    .map((name) => (runManifestPattern.test(name) ? "manifest-<run>.json" : name))
    .sort()

let west: RunningSandbox
let east: RunningSandbox
let flaky: RunningSandbox
let slow: RunningSandbox
let throttled: RunningSandbox
let large: RunningSandbox

const passwordEnv = (sandbox: { readonly url: string }, user = fixtures.user) => ({
  THOUGHTSPOT_HOST: sandbox.url,
  THOUGHTSPOT_USERNAME: user.username,
  THOUGHTSPOT_PASSWORD: user.password
})

beforeAll(async () => {
  const golden = { rows: fixtures.golden.rows, seed: fixtures.golden.seed }
  ;[west, east, flaky, slow, throttled, large] = await Promise.all([
    startSandbox({ ...golden, timezone: "America/Los_Angeles", secretKey }),
    startSandbox({ ...golden, timezone: "Asia/Kolkata", customCalendar: "with-end" }),
    startSandbox({ ...golden, timezone: "America/Los_Angeles", faults: "flaky" }),
    startSandbox({ rows: 20_000, faults: "slow" }),
    // Every answer-data request is refused with 429 (with Retry-After), whatever the retries.
    startSandbox({
      ...golden,
      faults: { routes: { "metadata/answer/data": { error429: 1 } }, maxConsecutiveFaults: 1000, retryAfter: true }
    }),
    // Pages of 15 000 rows are > 1 MiB: large enough to be shared with a worker thread.
    startSandbox({ rows: 45_000, timezone: "Asia/Kolkata", customCalendar: "with-end" })
  ])
})

afterAll(async () => {
  await Promise.all([west?.close(), east?.close(), flaky?.close(), slow?.close(), throttled?.close(), large?.close()])
})

describe.concurrent("exports", () => {
  it("answer-csv-west-epoch-cells-matches-golden-with-manifest", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["answer", "Order Details", "--out", dir], { env: passwordEnv(west) }),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    expect(listing(dir)).toEqual(["answer-Order Details.csv", "manifest-<run>.json", "manifest.json"])
    const csv = NodeFs.readFileSync(NodePath.join(dir, "answer-Order Details.csv"))
    expectGolden("west/answer-Order Details.csv", csv)
    expect(run.stdout).toContain("answer-Order Details.csv")
    const manifest = Schema.decodeUnknownSync(Manifest)(
      JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    )
    expect(manifest.timezone).toEqual({ name: "America/Los_Angeles", source: "cluster" })
    expect(manifest.host).toBe(west.url)
    const [output] = manifest.outputs
    if (output === undefined) throw new Error("the manifest lists no output")
    expect(output.source).toMatchObject({ type: "ANSWER", name: "Order Details", viz: null, query: null })
    expect(output.rows_written).toBe(fixtures.golden.rows)
    expect(output.available_data_row_count).toBe(fixtures.golden.rows)
    expect(output.sampling_ratio).toBe(1)
    expect(output.bytes).toBe(csv.length)
    expect(output.columns.find((c) => c.name === "Ship Time")).toEqual({
      name: "Ship Time",
      type: "TIME"
    })
  })

  it("answer-ndjson-to-stdout-matches-golden-and-keeps-logs-on-stderr", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCli(["answer", "Order Details", "--format", "ndjson", "--out", "-", "--verbose"], {
        env: passwordEnv(west),
        cwd: dir
      })
    )
    expect(run.code, run.stderr).toBe(0)
    expectGolden("west/answer-Order Details.ndjson", run.stdoutBytes)
    expect(run.stderr).toContain(`using ThoughtSpot at ${west.url}`)
    expect(run.stderr).toContain("Order Details")
    expect(NodeFs.readdirSync(dir)).toEqual([]) // no manifest or file in stdout mode
  })

  it("answer-ndjson-to-stdout-in-process-goes-to-the-stdout-stream-it-is-given", timeout, async () => {
    // The CLI run inside another program writes its data to the Stdout stream that program provides
    // (inProcess.ts provides one), never straight to the process's own stdout.
    const run = record(
      await runCliInProcess(["answer", "Order Details", "--format", "ndjson", "--out", "-", "--verbose"], {
        env: passwordEnv(west)
      })
    )
    expect(run.code, run.stderr).toBe(0)
    expectGolden("west/answer-Order Details.ndjson", run.stdoutBytes)
    expect(run.stderr).toContain(`using ThoughtSpot at ${west.url}`)
  })

  it("liveboard-csv-east-custom-calendar-with-period-end-matches-golden", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["liveboard", "Order Operations", "--period-end", "--out", dir], {
        env: passwordEnv(east)
      }),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    const files = listing(dir)
    expect(files).toEqual([
      "liveboard-Order Operations/Daily Quantity.csv",
      "liveboard-Order Operations/Order Timeline.csv",
      "liveboard-Order Operations/Shipments by Quarter.csv",
      "manifest-<run>.json",
      "manifest.json"
    ])
    for (const f of files.filter((n) => n.endsWith(".csv"))) {
      expectGolden(`east/${f}`, NodeFs.readFileSync(NodePath.join(dir, f)))
    }
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    expect(manifest.timezone).toEqual({ name: "Asia/Kolkata", source: "cluster" })
    const daily = manifest.outputs.find((o: { file: string }) => o.file.includes("Daily Quantity"))
    expect(daily.source.viz.name).toBe("Daily Quantity")
    expect(daily.columns[1]).toMatchObject({ name: "Day(Order Date) (end)", end_of: "Day(Order Date)" })
  })

  it("liveboard-viz-ndjson-east-with-timezone-flag-and-zone-offsets-matches-golden", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(
        [
          "liveboard",
          "Order Operations",
          "--viz",
          "Order Timeline",
          "--format",
          "ndjson",
          "--period-end",
          "--timezone",
          "Asia/Kolkata",
          "--datetime-offset",
          "zone",
          "--out",
          dir
        ],
        { env: passwordEnv(east) }
      ),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    const text = NodeFs.readFileSync(NodePath.join(dir, "liveboard-Order Operations", "Order Timeline.ndjson"))
    expectGolden("east/liveboard-Order Operations/Order Timeline.ndjson", text)
    expect(text.toString("utf8")).toContain("+05:30")
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    expect(manifest.timezone).toEqual({ name: "Asia/Kolkata", source: "flag" })
  })

  it("the-same-export-under-the-flaky-fault-profile-is-byte-identical", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["answer", "Order Details", "--page-size", "4", "--out", dir], { env: passwordEnv(flaky) }),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    const faults = Object.values(flaky.stats().faultsInjected).reduce((a, b) => a + b, 0)
    expect(faults, "the flaky profile injected no fault: the test proves nothing").toBeGreaterThan(0)
    expectGolden("west/answer-Order Details.csv", NodeFs.readFileSync(NodePath.join(dir, "answer-Order Details.csv")))
  })

  it("worker-threads-write-the-same-bytes-as-the-main-thread", timeout, async () => {
    const exportWith = async (workers: string, format: string) => {
      const dir = tempDir()
      const args = ["answer", "Order Details", "--page-size", "15000", "--period-end", "--format", format, "--verbose"]
      const run = record(
        await runCliInProcess([...args, "--workers", workers, "--out", dir], { env: passwordEnv(large) }),
        dir
      )
      expect(run.code, run.stderr).toBe(0)
      return { bytes: NodeFs.readFileSync(NodePath.join(dir, `answer-Order Details.${format}`)), stderr: run.stderr }
    }
    for (const format of ["csv", "ndjson"]) {
      const [inline, pooled] = await Promise.all([exportWith("0", format), exportWith("1", format)])
      expect(inline.bytes.length).toBeGreaterThan(3 << 20)
      expect(pooled.bytes.equals(inline.bytes), `${format}: --workers 1 differs from --workers 0`).toBe(true)
      // Several pages, and the worker really transcoded rows of them (--verbose counts what it did).
      const done = /\bdone=(\d+)/.exec(pooled.stderr)
      expect(Number(done?.[1]), pooled.stderr).toBeGreaterThan(1)
    }
  })

  it("metadata-ndjson-lists-objects-with-types-and-times-via-secret-key", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["metadata", "--type", "ANSWER,LIVEBOARD", "--format", "ndjson", "--out", dir], {
        env: {
          THOUGHTSPOT_HOST: west.url,
          THOUGHTSPOT_USERNAME: fixtures.user.username,
          THOUGHTSPOT_SECRET_KEY: secretKey
        }
      }),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    const lines = NodeFs.readFileSync(NodePath.join(dir, "metadata.ndjson"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    const expected = [...Object.keys(fixtures.answers), ...Object.keys(fixtures.liveboards)].sort()
    expect(lines.map((l) => l.name).sort()).toEqual(expected)
    expect(Object.keys(lines[0])).toEqual([
      "type",
      "id",
      "name",
      "subtype",
      "description",
      "author",
      "created",
      "modified",
      "tags",
      "created_ms",
      "modified_ms"
    ])
    expect(lines[0].created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    // The same instants, exact to the millisecond.
    for (const line of lines) {
      expect(Number.isSafeInteger(line.created_ms)).toBe(true)
      expect(new Date(line.created_ms).toISOString().replace(/\.\d{3}Z$/, "Z")).toBe(line.created)
      expect(new Date(line.modified_ms).toISOString().replace(/\.\d{3}Z$/, "Z")).toBe(line.modified)
    }
  })

  it("period-end-columns-only-for-data-results-not-for-metadata-or-audit-dates", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [
          { type: "metadata", metadataTypes: ["ANSWER"], output: "meta" },
          { type: "audit", since: "2d", until: "1d", output: "audit" },
          { type: "answer", id: "Revenue by Month", output: "revenue" }
        ]
      })
    )
    const out = NodePath.join(dir, "out")
    const run = record(
      await runCliInProcess(["run", job, "--out", out, "--period-end", "--quiet"], { env: sandboxEnv(east) }),
      out
    )
    expect(run.code, run.stderr).toBe(0)
    const header = (file: string) => NodeFs.readFileSync(NodePath.join(out, file), "utf8").split(/\r?\n/)[0]!
    expect(header("meta.csv")).not.toContain("(end)")
    expect(header("audit.csv")).not.toContain("(end)")
    expect(header("revenue.csv")).toContain("(end)")
  })

  it("search-csv-maps-bucketed-and-aggregated-columns-to-model-types", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(
        ["search", "--table", "Orders", "--query", "[Region] [Revenue] [Order Date].monthly", "--out", dir],
        {
          env: passwordEnv(west)
        }
      ),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    const text = NodeFs.readFileSync(NodePath.join(dir, "search-Orders.csv"), "utf8")
    const [header, first] = text.split("\r\n")
    expect(header).toBe("Region,Total Revenue,Month(Order Date)")
    expect(first).toMatch(/^[^,]+,[\d.]+,\d{4}-\d\d-01$/)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8"))
    expect(manifest.outputs[0].source.query).toBe("[Region] [Revenue] [Order Date].monthly")
    expect(manifest.outputs[0].columns.map((c: { type: string }) => c.type)).toEqual(["VARCHAR", "DOUBLE", "DATE"])
  })
})

describe.concurrent("bearer token", () => {
  it("a-token-from-the-environment-is-used-and-never-echoed", timeout, async () => {
    const response = await fetch(`${west.url}/api/rest/2.0/auth/token/full`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "user-agent": "spotpipe-test/1" },
      body: JSON.stringify({ username: fixtures.user.username, password: fixtures.user.password })
    })
    const { token } = (await response.json()) as { token: string }
    tokens.push(token)
    const dir = tempDir()
    const run = record(
      await runCli(["metadata", "--type", "TAG", "--out", dir, "--verbose"], {
        env: { THOUGHTSPOT_HOST: west.url, THOUGHTSPOT_TOKEN: token }
      }),
      dir
    )
    expect(run.code, run.stderr).toBe(0)
    expect(NodeFs.readFileSync(NodePath.join(dir, "metadata.csv"), "utf8").split("\r\n")[1]).toMatch(/^TAG,/)
  })
})

describe.concurrent("embedded sandbox", () => {
  it("sandbox-flag-exports-from-an-embedded-sandbox-without-credentials", timeout, async () => {
    const run = record(await runCli(["answer", "Revenue by Month", "--sandbox", "--out", "-", "--quiet"]))
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.split("\r\n")
    expect(lines[0]).toBe("Month(Order Date),Total Revenue")
    expect(lines[1]).toMatch(/^\d{4}-\d\d-01,[\d.]+$/)
    expect(run.stderr).toBe("")
  })

  it("spotpipe-sandbox-serves-in-the-foreground-until-ctrl-c", timeout, async () => {
    const child = spawn(
      process.execPath,
      [mainPath, "sandbox", "--port", "0", "--rows", "25", "--timezone", "Europe/Berlin"],
      {
        env: { PATH: process.env["PATH"] ?? "" },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    let stdout = ""
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 30_000)
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
        if (match !== null) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
    })
    const run = record(
      await runCli(["answer", "Order Details", "--out", "-", "--quiet"], {
        env: passwordEnv({ url })
      })
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trimEnd().split("\r\n")).toHaveLength(26)
    child.kill("SIGINT")
    expect(await exited).toBe(130)
  })

  it("stdout-mode-with-several-results-is-a-usage-error", timeout, async () => {
    const run = record(await runCli(["liveboard", "Sales Overview", "--sandbox", "--out", "-"]))
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("--viz")
  })

  it("stdout-mode-with-several-orgs-names-orgs-not-viz", timeout, async () => {
    const run = record(await runCli(["permissions", "--orgs", "all", "--sandbox", "--out", "-"]))
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("pick one Org with --orgs ID, or write to a directory")
    expect(run.stderr).not.toContain("--viz")
  })
})

describe.concurrent("failures", () => {
  it("an-existing-output-is-refused-without-force-exit-1", timeout, async () => {
    const dir = tempDir()
    NodeFs.writeFileSync(NodePath.join(dir, "answer-Revenue by Month.csv"), "keep me")
    const run = record(await runCliInProcess(["answer", "Revenue by Month", "--out", dir], { env: passwordEnv(west) }))
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("already exists: pass --force")
    expect(NodeFs.readFileSync(NodePath.join(dir, "answer-Revenue by Month.csv"), "utf8")).toBe("keep me")
    expect(NodeFs.readdirSync(dir)).toEqual(["answer-Revenue by Month.csv"])
  })

  it("rate-limited-past-the-retry-budget-exits-1-saying-to-try-later", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["answer", "Revenue by Month", "--out", dir], { env: passwordEnv(throttled) })
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("rate limited by ThoughtSpot")
    expect(run.stderr).toContain("run again later")
    // Each retry wait is shown as it starts (so a log says why it waits); the failure itself is one last line.
    const lines = run.stderr.trim().split("\n")
    expect(lines.slice(0, -1).every((line) => line.includes("retrying "))).toBe(true)
    expect(lines.at(-1)).toContain("rate limited by ThoughtSpot")
    expect(NodeFs.readdirSync(dir)).toEqual([])
  })

  it("an-unknown-object-exits-1-naming-it", timeout, async () => {
    const run = record(
      await runCliInProcess(["answer", "No Such Answer", "--out", tempDir()], { env: passwordEnv(west) })
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('"No Such Answer"')
    expect(run.stderr).toContain("(spotpipe ls answers lists them)")
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
  })

  it("bad-credentials-exit-1-and-even-the-verbose-cause-holds-no-secret", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCli(["metadata", "--out", dir, "--verbose"], {
        env: {
          THOUGHTSPOT_HOST: west.url,
          THOUGHTSPOT_USERNAME: fixtures.user.username,
          THOUGHTSPOT_PASSWORD: "wrong-Pw-4411"
        }
      })
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`ThoughtSpot refused the credentials for ${fixtures.user.username} at `)
    expect(run.stderr).not.toContain("wrong-Pw-4411")
    expect(NodeFs.readdirSync(dir)).toEqual([])
  })

  it("a-forbidden-object-exits-1-saying-whom-to-ask", timeout, async () => {
    const dir = tempDir()
    const run = record(
      await runCliInProcess(["answer", "Top Customers (restricted)", "--timezone", "UTC", "--out", dir, "--verbose"], {
        env: passwordEnv(west, fixtures.limitedUser)
      })
    )
    // ThoughtSpot's metadata search only lists what the user may read, so a restricted object is "not found".
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("cannot see it")
    expect(NodeFs.readdirSync(dir)).toEqual([])
  })
})

describe("interruption", () => {
  it("ctrl-c-mid-export-exits-130-and-leaves-nothing-behind", timeout, async () => {
    const dir = tempDir()
    const child = spawn(process.execPath, [mainPath, "answer", "Order Details", "--page-size", "500", "--out", dir], {
      env: { PATH: process.env["PATH"] ?? "", ...passwordEnv(slow) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    // Wait until the partial file exists in the state directory, i.e. the export is mid-write.
    const state = NodePath.join(dir, ".spotpipe-state")
    const writing = () => NodeFs.existsSync(state) && NodeFs.readdirSync(state).some((f) => f.endsWith(".partial"))
    const deadline = Date.now() + 30_000
    while (!writing() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(writing(), stderr).toBe(true)
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(NodeFs.readdirSync(dir)).toEqual([])
  })
})

describe("demo", () => {
  it(
    "demo-exports-metadata-every-answer-and-every-visualization-as-csv-ndjson-and-parquet-without-duckdb",
    timeout,
    async () => {
      const dir = tempDir()
      const run = record(
        await runCli(["demo", "--out", NodePath.join(dir, "out"), "--log-format", "json"]),
        NodePath.join(dir, "out")
      )
      expect(run.code, run.stderr).toBe(0)
      const logs = run.stderr
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line))
      expect(logs.some((l) => l.level === "WARN" && JSON.stringify(l.message).includes("Sampled Orders"))).toBe(true)
      const files = listing(NodePath.join(dir, "out"))
      const expected = [
        "metadata",
        ...Object.keys(fixtures.answers).map((a) => `answer-${a}`),
        ...Object.entries(fixtures.liveboards).flatMap(([lb, { visualizations }]) =>
          visualizations.map((v) => `liveboard-${lb}/${v.name}`)
        )
      ].flatMap((base) => [`${base}.csv`, `${base}.ndjson`, `${base}.parquet`])
      // The installed command has no DuckDB beside it: the demo writes its Parquet files, says what to install to
      // load them, and loads nothing (test/load/demo.e2e.test.ts runs it with DuckDB).
      expect(
        logs.some((l) => l.level === "INFO" && JSON.stringify(l.message).includes("npm install -g @duckdb/node-api@"))
      ).toBe(true)
      // The marker makes the folder the demo's own (it refuses a folder holding files it did not write).
      expect(files).toEqual([...expected, ".spotpipe-demo", "manifest-<run>.json", "manifest.json"].sort())
      expect(JSON.parse(run.stdout).summary.files).toBe(expected.length) // with --log-format json, a JSON summary
      const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "out", "manifest.json"), "utf8"))
      expect(manifest.outputs).toHaveLength(expected.length)
      const sampled = manifest.outputs.find((o: { source: { name: string } }) => o.source.name === "Sampled Orders")
      expect(sampled.sampling_ratio).toBeLessThan(1)
      expect(sampled.warnings.join(" ")).toContain("sample")
    }
  )
})

describe("secrets", () => {
  it("no-password-secret-key-or-wrong-password-appears-in-any-output-file-or-manifest", () => {
    expect(seen.length).toBeGreaterThan(10)
    expect(tokens).toHaveLength(1)
    for (const text of seen) {
      for (const secret of [
        fixtures.user.password,
        fixtures.limitedUser.password,
        secretKey,
        "wrong-Pw-4411",
        ...tokens
      ]) {
        expect(text.includes(secret), `secret found in: ${text.slice(0, 200)}`).toBe(false)
      }
    }
  })
})
