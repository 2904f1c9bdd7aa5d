/**
 * Bench: the sandbox serving COMPACT 100 000-row pages over loopback vs `JSON.parse` of the same bytes, same run.
 * The sandbox runs in a child process (its own event loop, as for a client in another process); this process is
 * the client: it reads raw bytes with node:http (no decoding), then times `JSON.parse` of the decoded text.
 * Target: serving rate ≥ 1.5 × parse rate. Three access patterns:
 * - sequential fresh pages, as an exporter reads them: the sandbox renders the next page while the client
 *   parses the current one (look-ahead), so rendering overlaps parsing;
 * - scattered fresh pages: every page rendered on request (the raw rendering speed);
 * - a repeated page: served from the page LRU (retries, several clients).
 * Also prints the sandbox's resident memory after paging a 10 000 000-row table.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { Agent } from "node:http"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { postRaw } from "./export/wire.ts"

const rows = 10_000_000
const pageSize = 100_000
const freshPages = 8
const sequentialPages = 12
const repeats = 6
const target = 1.5

const main = join(dirname(fileURLToPath(import.meta.url)), "../../../packages/sandbox/src/main.ts")
const child = spawn(process.execPath, [main, "--port", "0", "--rows", String(rows), "--seed", "1"], {
  stdio: ["ignore", "pipe", "inherit"]
})
const fail = (message: string): never => {
  console.error(`sandbox bench cannot run: ${message}`)
  child.kill("SIGTERM")
  process.exit(1)
}
child.on("exit", (code) => {
  if (code !== 0 && code !== null) fail(`sandbox exited with ${code}`)
})

const url = await new Promise<string>((resolve) => {
  let out = ""
  child.stdout.setEncoding("utf8")
  child.stdout.on("data", (c: string) => {
    if (out.length < 10_000) out += c
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
    if (m !== null) resolve(m[1]!)
  })
  setTimeout(() => fail("the sandbox did not start within 30 s"), 30_000).unref()
})

const agent = new Agent({ keepAlive: true })
const post = (path: string, body: unknown, token?: string) => postRaw(agent, url, path, body, token)

const auth = await post("auth/token/full", { username: "tsUserA", password: "Guest@123!", validity_time_in_sec: 3600 })
if (auth.status !== 200) fail(`token request failed with ${auth.status}`)
const token = (JSON.parse(auth.bytes.toString()) as { token: string }).token
const answer = "Order Details"
const page = (offset: number) =>
  post("metadata/answer/data", { metadata_identifier: answer, record_offset: offset, record_size: pageSize }, token)

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const parseMs = (bytes: Buffer) => {
  const text = bytes.toString("utf8")
  const times: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    JSON.parse(text)
    times.push(performance.now() - t)
  }
  return median(times)
}

// Warm-up: JIT both sides.
for (let i = 0; i < 2; i++) parseMs((await page(rows - pageSize * (i + 1))).bytes)

interface Sample {
  bytes: number
  serveMs: number
  parseMs: number
}
const measure = async (offsets: Array<number>): Promise<Array<Sample>> => {
  const out: Array<Sample> = []
  for (const offset of offsets) {
    const r = await page(offset)
    if (r.status !== 200) fail(`page at ${offset} failed with ${r.status}`)
    out.push({ bytes: r.bytes.length, serveMs: r.ms, parseMs: parseMs(r.bytes) })
  }
  return out
}
// Sequential pages start mid-table, away from the pages read so far; the first one cannot have been rendered ahead.
const sequential = (
  await measure(Array.from({ length: sequentialPages + 1 }, (_, i) => 5_000_000 + i * pageSize))
).slice(1)
// Scattered pages skip around the first half of the table (never the page rendered ahead).
const scattered = await measure(Array.from({ length: freshPages }, (_, i) => 250_000 + i * 550_000))
const repeated = await measure(Array.from({ length: repeats }, () => 0))

const rssKiB = (() => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))
    return m === null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
})()
child.kill("SIGTERM")
agent.destroy()

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000)
const row = (label: string, samples: Array<Sample>) => {
  const bytes = median(samples.map((s) => s.bytes))
  const serve = median(samples.map((s) => s.serveMs))
  const parse = median(samples.map((s) => s.parseMs))
  const ratio = parse / serve
  return {
    line: [
      label.padEnd(30),
      (bytes / 1e6).toFixed(1).padStart(8),
      serve.toFixed(1).padStart(9),
      mbps(bytes, serve).toFixed(0).padStart(9),
      parse.toFixed(1).padStart(9),
      mbps(bytes, parse).toFixed(0).padStart(9),
      `${ratio.toFixed(2)}×`.padStart(7),
      ratio >= target ? "PASS" : "MISS"
    ].join(" "),
    ratio
  }
}
console.log(
  `sandbox in a child process, ${rows.toLocaleString("en-US")} rows, answer "${answer}" (10 columns), COMPACT pages of ${pageSize.toLocaleString("en-US")} rows`
)
console.log(
  `target: serving rate ≥ ${target}× JSON.parse rate of the same bytes (medians over ${sequentialPages} / ${freshPages} / ${repeats} pages)`
)
console.log(
  [
    "case".padEnd(30),
    "MB/page".padStart(8),
    "serve ms".padStart(9),
    "serve MB/s".padStart(9),
    "parse ms".padStart(9),
    "parse MB/s".padStart(9),
    "ratio".padStart(7),
    "target"
  ].join(" ")
)
console.log(row("sequential fresh (look-ahead)", sequential).line)
console.log(row("scattered fresh (on request)", scattered).line)
console.log(row("repeated page (page LRU)", repeated).line)
console.log(
  `sandbox RSS after ${sequentialPages + 1 + freshPages + repeats + 2} pages of a ${rows.toLocaleString("en-US")}-row table: ${rssKiB === undefined ? "n/a" : `${(rssKiB / 1024).toFixed(0)} MiB`}`
)
