/**
 * Bench: `spotpipe load` against each engine's own bulk import of the same file, side by side in one run.
 * The sandbox (its own process) serves N rows (default 1 000 000, `LOAD_BENCH_ROWS`); `spotpipe answer "Order
 * Details"` exports them as CSV and as NDJSON; then, each timed wall-clock, best of 5 (`LOAD_BENCH_REPEATS`), the runs of one engine taking
 * turns so that the machine's drifting load hits them alike:
 * - DuckDB (embedded file): `spotpipe load --into duckdb:…` (SHA-256 check, typed read_csv/read_json, one
 *   transaction, record) vs DuckDB's own `CREATE TABLE … AS SELECT * FROM read_csv(file)` (auto-detected), each
 *   run into a new database file of its own, run in
 *   this process and, like `psql \copy`, as a process of its own (Node with @duckdb/node-api running that one
 *   statement); and the Parquet export of the same rows, `spotpipe load` vs `read_parquet`;
 * - PostgreSQL: a real server (the Debian `postgres` when present, run as the postgres user in a temporary cluster;
 *   else PGlite over loopback) — `spotpipe load --into postgresql://…` vs a plain client's `COPY … FROM STDIN`
 *   of the same file (pg + pg-copy-streams, no check), and `psql \copy` when psql exists; the NDJSON and Parquet
 *   exports' loads beside them (PostgreSQL has no import of its own for those: the CSV's is the comparison).
 * Target: spotpipe load ≥ 0.8 × the engine's own import (CSV). The load runs as its own process, as a user runs it:
 * the launcher `bin/spotpipe.js` with the bundle the install built (`dist/`), else the sources (`bin/dev.js`) —
 * its start-up (~0.15 s with the bundle) is part of its time.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import { createRequire } from "node:module"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { pipeline } from "node:stream/promises"
import { fileURLToPath } from "node:url"
import { startSandboxProcess } from "./export/sandboxProcess.ts"

const rows = Number(process.env.LOAD_BENCH_ROWS ?? 1_000_000)
const repeats = Number(process.env.LOAD_BENCH_REPEATS ?? 5)
const target = 0.8
const here = NodePath.dirname(fileURLToPath(import.meta.url))
const app = NodePath.join(here, "../../../apps/export")
// The installed command's launcher and bundle (built by the install), as a user runs it; else the sources.
const bundled = NodeFs.existsSync(NodePath.join(app, "dist/RunMain.js"))
const dev = NodePath.join(app, bundled ? "bin/spotpipe.js" : "bin/dev.js")
// The drivers are the CLI's own dependencies: resolve them from the app.
const appRequire = createRequire(NodePath.join(app, "package.json"))
interface DuckConnection {
  run(sql: string): Promise<unknown>
  closeSync(): void
}
const { DuckDBInstance } = (await import(appRequire.resolve("@duckdb/node-api"))) as {
  DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckConnection>; closeSync(): void }> }
}
interface PgClient {
  connect(): Promise<void>
  query(text: string): Promise<unknown>
  query<S>(stream: S): S
  end(): Promise<void>
}
const pg = (await import(appRequire.resolve("pg"))).default as {
  Client: new (config: { connectionString: string }) => PgClient
}
const { from: copyFrom } = (await import(appRequire.resolve("pg-copy-streams"))) as {
  from: (sql: string) => NodeJS.WritableStream & { rowCount: number }
}

const work = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-bench-"))
const cleanups: Array<() => void | Promise<void>> = [() => NodeFs.rmSync(work, { recursive: true, force: true })]
const cleanup = async () => {
  for (const c of cleanups.reverse()) await c()
}

const spotpipe = (args: Array<string>, env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, [dev, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8"
  })
  if (result.status !== 0) throw new Error(`spotpipe ${args[0]} failed (${result.status}): ${result.stderr}`)
  return result
}

/** Best wall-clock seconds of each of `runs`, taking turns (a, b, a, b, …) so that drifting load hits all alike. */
const race = async (...runs: Array<() => Promise<unknown> | unknown>): Promise<Array<number>> => {
  const best = runs.map(() => Number.POSITIVE_INFINITY)
  for (let i = 0; i < repeats; i++) {
    for (const [k, run] of runs.entries()) {
      const started = performance.now()
      await run()
      best[k] = Math.min(best[k]!, (performance.now() - started) / 1000)
    }
  }
  return best
}

// ── the data ──────────────────────────────────────────────────────────────────────────────────────────────────
const sandbox = await startSandboxProcess({ rows })
cleanups.push(() => sandbox.stop())
const ts = { THOUGHTSPOT_HOST: sandbox.url, THOUGHTSPOT_USERNAME: "tsUserA", THOUGHTSPOT_PASSWORD: "Guest@123!" }
const csvRun = NodePath.join(work, "csv")
const ndjsonRun = NodePath.join(work, "ndjson")
const parquetRun = NodePath.join(work, "parquet")
spotpipe(["answer", "Order Details", "--out", csvRun, "--quiet", "--page-size", "100000"], ts)
spotpipe(["answer", "Order Details", "--out", ndjsonRun, "--format", "ndjson", "--quiet", "--page-size", "100000"], ts)
spotpipe(
  ["answer", "Order Details", "--out", parquetRun, "--format", "parquet", "--quiet", "--page-size", "100000"],
  ts
)
await sandbox.stop()
const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(csvRun, "manifest.json"), "utf8")) as {
  outputs: Array<{ file: string; rows_written: number; bytes: number; columns: Array<{ name: string; type: string }> }>
}
const output = manifest.outputs[0]!
const csvFile = NodePath.join(csvRun, output.file)
const n = output.rows_written
console.log(`spotpipe: ${NodePath.relative(process.cwd(), dev)}`)
console.log(
  `${n.toLocaleString("en-US")} rows of "Order Details": CSV ${(output.bytes / 2 ** 20).toFixed(0)} MiB, NDJSON ${(NodeFs.statSync(NodePath.join(ndjsonRun, output.file.replace(/\.csv$/, ".ndjson"))).size / 2 ** 20).toFixed(0)} MiB; best of ${repeats}, taking turns\n`
)

const lines: Array<[string, number]> = []
const report = (label: string, seconds: number) => {
  lines.push([label, seconds])
  console.log(
    `${label.padEnd(58)} ${seconds.toFixed(2).padStart(6)} s  ${Math.round(n / seconds)
      .toLocaleString("en-US")
      .padStart(10)} rows/s`
  )
}
const ratio = (ours: number, theirs: number, what: string) => {
  const r = theirs / ours
  console.log(
    `  → ${what}: ${r.toFixed(2)} × the engine's own import (target ≥ ${target}) ${r >= target ? "ok" : "BELOW TARGET"}`
  )
}

// ── DuckDB ────────────────────────────────────────────────────────────────────────────────────────────────────
// Each run loads into a database file of its own, new each time: no run pays for another's tables.
const freshDb = (name: string) => {
  const file = NodePath.join(work, `${name}.duckdb`)
  NodeFs.rmSync(file, { force: true })
  NodeFs.rmSync(`${file}.wal`, { force: true })
  return file
}
const quoted = (path: string) => `'${path.replace(/'/g, "''")}'`
const parquetFile = NodePath.join(parquetRun, output.file.replace(/\.csv$/, ".parquet"))
/** DuckDB's own import, in this process. */
const duckImport = async (sql: string, name: string) => {
  const instance = await DuckDBInstance.create(freshDb(name))
  const c = await instance.connect()
  await c.run(sql)
  c.closeSync()
  instance.closeSync()
}
const nativeCsv = `CREATE OR REPLACE TABLE native_csv AS SELECT * FROM read_csv(${quoted(csvFile)})`
// The same statement as a process of its own: Node, DuckDB's package, the statement, exit.
const duckScript = `const { DuckDBInstance } = await import(${JSON.stringify(appRequire.resolve("@duckdb/node-api"))});
const instance = await DuckDBInstance.create(process.argv[1]); const c = await instance.connect();
await c.run(process.argv[2]); c.closeSync(); instance.closeSync()`
/** DuckDB's own import as a process of its own. */
const duckProcessImport = (sql: string, name: string) => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", duckScript, freshDb(name), sql], {
    encoding: "utf8"
  })
  if (r.status !== 0) throw new Error(`DuckDB's import process failed: ${r.stderr}`)
}
const nativeParquet = `CREATE OR REPLACE TABLE native_parquet AS SELECT * FROM read_parquet(${quoted(parquetFile)})`
const [duckNative, duckProcess, duckCsv, duckNdjson, duckParquetNative, duckParquetProcess, duckParquet] = await race(
  () => duckImport(nativeCsv, "native-csv"),
  () => duckProcessImport(nativeCsv, "process-csv"),
  () => spotpipe(["load", csvRun, "--into", `duckdb:${freshDb("spotpipe-csv")}`, "--quiet"]),
  () => spotpipe(["load", ndjsonRun, "--into", `duckdb:${freshDb("spotpipe-ndjson")}`, "--quiet"]),
  () => duckImport(nativeParquet, "native-parquet"),
  () => duckProcessImport(nativeParquet, "process-parquet"),
  () => spotpipe(["load", parquetRun, "--into", `duckdb:${freshDb("spotpipe-parquet")}`, "--quiet"])
)
report("DuckDB read_csv (auto-detect), CREATE TABLE AS, in-process", duckNative!)
report("the same as a process of its own (Node + @duckdb/node-api)", duckProcess!)
report("spotpipe load CSV → DuckDB", duckCsv!)
ratio(duckCsv!, duckNative!, "CSV, against the in-process import")
ratio(duckCsv!, duckProcess!, "CSV, against the import as a process")
report("spotpipe load NDJSON → DuckDB", duckNdjson!)
report("DuckDB read_parquet, CREATE TABLE AS, in-process", duckParquetNative!)
report("the same as a process of its own (Node + @duckdb/node-api)", duckParquetProcess!)
report("spotpipe load Parquet → DuckDB", duckParquet!)
ratio(duckParquet!, duckParquetNative!, "Parquet, against the in-process import")
ratio(duckParquet!, duckParquetProcess!, "Parquet, against the import as a process")
console.log()

// ── PostgreSQL ────────────────────────────────────────────────────────────────────────────────────────────────
const startDebianPostgres = async (): Promise<{ url: string; kind: string } | undefined> => {
  const bin = ["/usr/lib/postgresql/15/bin", "/usr/local/bin"].find((d) => NodeFs.existsSync(`${d}/initdb`))
  if (bin === undefined) return undefined
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : []
  const data = NodePath.join(work, "pgdata")
  NodeFs.mkdirSync(data)
  if (asPostgres.length > 0) {
    NodeFs.chmodSync(work, 0o755)
    execFileSync("chown", ["postgres", data])
  }
  const run = (cmd: string, args: Array<string>) =>
    execFileSync(asPostgres[0] ?? cmd, [...asPostgres.slice(1), ...(asPostgres.length > 0 ? [cmd] : []), ...args], {
      stdio: "ignore"
    })
  run(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  run(`${bin}/pg_ctl`, ["-D", data, "-o", `-p ${port} -k ${data} -h 127.0.0.1 -F`, "-w", "start"])
  cleanups.push(() => {
    run(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "stop"])
  })
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, kind: "Debian PostgreSQL 15 (fsync off)" }
}
const startPglite = async () => {
  const { startPgliteServer } = await import(NodePath.join(app, "test/load/support/PgliteServer.ts"))
  const server = await startPgliteServer()
  cleanups.push(() => server.close())
  return { url: server.url as string, kind: "PGlite over loopback" }
}
const postgres = (await startDebianPostgres().catch(() => undefined)) ?? (await startPglite())
console.log(`PostgreSQL: ${postgres.kind}`)
const columns = output.columns
  .map((c) => {
    const t: Record<string, string> = {
      INT64: "BIGINT",
      DOUBLE: "DOUBLE PRECISION",
      BOOL: "BOOLEAN",
      DATE: "DATE",
      DATE_TIME: "TIMESTAMP WITH TIME ZONE",
      TIME: "TIME"
    }
    return `"${c.name}" ${t[c.type] ?? "TEXT"}`
  })
  .join(", ")
const hasPsql = spawnSync("psql", ["--version"]).status === 0
const [pgNative, psqlCopy, pgCsv, pgNdjson, pgParquet] = await race(
  async () => {
    const client = new pg.Client({ connectionString: postgres.url })
    await client.connect()
    await client.query("BEGIN")
    await client.query(`DROP TABLE IF EXISTS native_copy; CREATE TABLE native_copy (${columns})`)
    await pipeline(
      NodeFs.createReadStream(csvFile),
      client.query(copyFrom("COPY native_copy FROM STDIN WITH (FORMAT csv, HEADER true)"))
    )
    await client.query("COMMIT")
    await client.end()
  },
  () => {
    if (!hasPsql) return
    const r = spawnSync(
      "psql",
      [
        postgres.url,
        "-v",
        "ON_ERROR_STOP=1",
        "-q",
        "-c",
        `DROP TABLE IF EXISTS psql_copy; CREATE TABLE psql_copy (${columns})`,
        "-c",
        `\\copy psql_copy FROM '${csvFile.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`
      ],
      { encoding: "utf8" }
    )
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`)
  },
  () => spotpipe(["load", csvRun, "--into", postgres.url, "--quiet"]),
  () => spotpipe(["load", ndjsonRun, "--into", postgres.url, "--quiet"]),
  () => spotpipe(["load", parquetRun, "--into", postgres.url, "--quiet"])
)
report("plain client COPY FROM STDIN (pg-copy-streams)", pgNative!)
if (hasPsql) report("psql \\copy", psqlCopy!)
report("spotpipe load CSV → PostgreSQL", pgCsv!)
ratio(pgCsv!, Math.min(pgNative!, hasPsql ? psqlCopy! : Number.POSITIVE_INFINITY), "CSV")
report("spotpipe load NDJSON → PostgreSQL", pgNdjson!)
report("spotpipe load Parquet → PostgreSQL", pgParquet!)
ratio(
  pgParquet!,
  Math.min(pgNative!, hasPsql ? psqlCopy! : Number.POSITIVE_INFINITY),
  "Parquet, against COPY of the CSV"
)
console.log(
  `\nload average ${NodeOs.loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`
)
await cleanup()
