/**
 * Bench: `@spotpipe/core` reading 10 000 000 rows of `searchdata` pages from the sandbox, against the limit —
 * a bare loop of `fetch` + `JSON.parse` over the same pages, measured in the same run. Targets: client
 * rows/s ≥ 0.8 × the bare loop, client peak RSS < 300 MB and flat from 1 M to 10 M rows.
 *
 * The targets are measured on a sandbox started with `--order-ids safe`: Order IDs of the same 16 digits (so the
 * same page bytes) but all within 2^53, so both readers do the same work and produce the same exact values. On
 * the default data nearly every Order ID exceeds 2^53: the client keeps them exact (`parseJsonExact`, which the
 * issue allows to run at ≥ 0.5 of `JSON.parse` on such pages), while the bare loop's `JSON.parse` rounds them —
 * its output is wrong there, so it is no limit to hold the client to. Those runs are printed as a second,
 * labelled table, with the cost of exact parsing on one real page of each kind.
 *
 * The sandboxes run in child processes; each measurement runs in its own child process too, so every RSS figure
 * is that reader's alone. Module loading happens before the clock starts (the bare loop loads nothing; the
 * client's one-off import is printed apart). Both readers keep two pages in flight (the client's default
 * prefetch) and use 100 000-row pages (ThoughtSpot's maximum, the worst case for memory); the sandbox's and the
 * client's rate limits are off, since a rate policy is not client overhead. The client runs twice per size:
 * with Node's default flags, and with `NodeFlags.leanMemory` and `NodeFlags.leanMemoryEnv` (how the CLI is meant
 * to run; the RSS targets apply to it). The 10 M readers run in three rounds; ratios are the rounds' median.
 * Two extra client runs with --expose-gc force a GC every 100 ms to record the live heap (what is really held),
 * since RSS peaks mostly measure how much garbage V8 lets pile up.
 * Also the parse of one page, exact against `JSON.parse`, on real pages of both sandboxes and on synthetic pages
 * (targets: pages without big integers at full speed (≥ 0.9), pages with them ≥ 0.5); each parser runs in its own
 * child process too (see `parseTimes`).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = fileURLToPath(import.meta.url)
const pageSize = 100_000
/**
 * Row-level query (Order ID is unique, so no aggregation). On the default data Order ID holds integers beyond
 * 2^53 on nearly every row; on `--order-ids safe` data none.
 */
const query = "[Order ID] [Region] [Customer] [Revenue] [Order Date] sort by [Order ID]"

/** Where and as whom the readers read (passed to the child processes, which import nothing they do not use). */
interface Target {
  readonly url: string
  readonly username: string
  readonly password: string
  readonly tableId: string
}

interface Measurement {
  readonly rows: number
  readonly seconds: number
  readonly cpuSeconds: number
  readonly peakRssMb: number
  /** Peak of the heap still in use right after a full GC (only when run with --expose-gc): the live data. */
  readonly peakLiveHeapMb: number
  /** Loading the reader's modules, before the clock started. */
  readonly importSeconds: number
}

/** Samples RSS every 20 ms while `work` runs; returns rows, wall and CPU time, peak RSS. */
const measure = async (work: () => Promise<number>, importSeconds: number): Promise<Measurement> => {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  // With --expose-gc (the "live" runs only: forced GCs change timing and RSS) sample the live heap every 100 ms
  // (a 1 M-row read is only ten 100 000-row pages).
  const gc = (globalThis as { gc?: () => void }).gc
  let live = 0
  const liveTimer =
    gc === undefined
      ? undefined
      : setInterval(() => {
          gc()
          live = Math.max(live, process.memoryUsage().heapUsed)
        }, 100)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const rows = await work()
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  clearInterval(timer)
  clearInterval(liveTimer)
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024)
  return {
    rows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: peak / 2 ** 20,
    peakLiveHeapMb: live / 2 ** 20,
    importSeconds
  }
}

/** The limit: fetch + text + JSON.parse, two pages in flight, in order. */
const bare = async ({ url, username, password, tableId }: Target, total: number): Promise<number> => {
  const headers = { "content-type": "application/json", accept: "application/json", "user-agent": "bench" }
  const auth = (await (
    await fetch(`${url}/api/rest/2.0/auth/token/full`, {
      method: "POST",
      headers,
      body: JSON.stringify({ username, password })
    })
  ).json()) as { token: string }
  const page = (offset: number) =>
    fetch(`${url}/api/rest/2.0/searchdata`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${auth.token}` },
      body: JSON.stringify({
        logical_table_identifier: tableId,
        query_string: query,
        data_format: "COMPACT",
        record_offset: offset,
        record_size: pageSize
      })
    }).then((r) => r.text())
  let rows = 0
  let next = page(0)
  for (let offset = 0; offset < total; offset += pageSize) {
    const text = await next
    if (offset + pageSize < total) next = page(offset + pageSize)
    const body = JSON.parse(text) as { contents: Array<{ data_rows: Array<unknown> }> }
    rows += body.contents[0]!.data_rows.length
  }
  return rows
}

/** Loads the client's modules (outside the timing: a one-off cost, not overhead per row). */
const loadClient = async () => {
  const [core, effect] = await Promise.all([import("@spotpipe/core"), import("effect")])
  return { ...core, ...effect }
}

/** The client with its defaults (prefetch 2) and 100 000-row pages, rate limit off. */
const client = async (
  { Auth, ThoughtSpotClient, Effect, Stream }: Awaited<ReturnType<typeof loadClient>>,
  { url, username, password, tableId }: Target,
  total: number
): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const c = yield* ThoughtSpotClient.ThoughtSpotClient
      let rows = 0
      yield* c.searchData({ logicalTableIdentifier: tableId, queryString: query, pageSize }).pipe(
        Stream.take(Math.ceil(total / pageSize)),
        Stream.runForEach((p) =>
          Effect.sync(() => {
            rows += p.rows.length
          })
        )
      )
      return rows
    }).pipe(
      Effect.provide(
        ThoughtSpotClient.layerNode({
          host: url,
          auth: Auth.password({ username, password }),
          rateLimit: { requestsPerSecond: Number.POSITIVE_INFINITY }
        })
      )
    )
  )

/**
 * A synthetic 100 000-row page with a big integer (beyond 2^53) on every `bigEvery`-th row (none for 0), as the
 * flat text a response body decodes to.
 */
const syntheticPage = (bigEvery: number) => {
  const rows: Array<string> = []
  for (let i = 0; i < 100_000; i++) {
    const id = bigEvery > 0 && i % bigEvery === 0 ? (9_007_199_254_740_000n + 37n * BigInt(i)).toString() : String(i)
    rows.push(
      `[${id},"Île-de-France","Customer \\"${i}\\", Inc.",${(i * 1.37).toFixed(2)},${694252800 + i * 86400},false]`
    )
  }
  const text = `{"contents":[{"available_data_row_count":100000,"column_names":["Order ID","Region","Customer","Revenue","Order Date","Returned"],"data_rows":[${rows.join(",")}],"record_offset":0,"record_size":100000,"returned_data_row_count":100000,"sampling_ratio":1}]}`
  // Flat, as decoded from a body (the template above is a rope).
  return Buffer.from(text).toString("utf8")
}
// ── child mode: one parser on one page, ms per page printed as JSON ────────────────────────────────────────
if (process.argv[2] === "--parse") {
  const [, , , source, parser] = process.argv
  const [{ parseJsonExact }, { readRowsInPieces }, { splitDataRows }] = await Promise.all([
    import("@spotpipe/core"),
    import("../../../packages/core/src/internal/rowsInPieces.ts"),
    import("../../../packages/core/src/internal/splitDataRows.ts")
  ])
  const text = source!.startsWith("synthetic:")
    ? syntheticPage(Number(source!.slice("synthetic:".length)))
    : readFileSync(source!, "utf8")
  // As the client has it: the body's bytes along with their text (the scans then read a one-byte copy of them).
  const bytes = Buffer.from(text)
  const parse =
    parser === "plain"
      ? () => JSON.parse(text)
      : parser === "exact"
        ? () => parseJsonExact(text, { bytes })
        : // The client's own route: the envelope walked, the rows parsed in pieces.
          () => splitDataRows(bytes, (start, names) => readRowsInPieces(bytes, start, names.length))
  // Each result is kept until the next parse replaces it, as a reader keeps its page.
  const kept: Array<unknown> = []
  for (let i = 0; i < 5; i++) kept[0] = parse()
  const t0 = performance.now()
  for (let i = 0; i < 20; i++) kept[0] = parse()
  process.stdout.write(`${JSON.stringify({ msPerPage: (performance.now() - t0) / 20 })}\n`)
  process.exit(0)
}

// ── child mode: one measurement, printed as JSON ───────────────────────────────────────────────────────────
if (process.argv[2] === "--measure") {
  const [, , , who, target, total] = process.argv
  const where = JSON.parse(target!) as Target
  const t0 = performance.now()
  const modules = who === "bare" ? undefined : await loadClient()
  const importSeconds = (performance.now() - t0) / 1000
  const work = modules === undefined ? () => bare(where, Number(total)) : () => client(modules, where, Number(total))
  process.stdout.write(`${JSON.stringify(await measure(work, importSeconds))}\n`)
  process.exit(0)
}

// ── parent: start the sandboxes, run the measurements, print the tables ────────────────────────────────────
const { fixtures } = await import("@spotpipe/sandbox")
const NodeFlags = await import("../../../apps/export/src/cli/NodeFlags.ts")
// Internal: how the client reads a page's rows (timed on one real page below).
const { readRowsInPieces } = await import("../../../packages/core/src/internal/rowsInPieces.ts")
const { splitDataRows } = await import("../../../packages/core/src/internal/splitDataRows.ts")
const sandboxes: Array<ReturnType<typeof spawn>> = []
const fail = (message: string): never => {
  console.error(`core bench cannot run: ${message}`)
  for (const s of sandboxes) s.kill("SIGTERM")
  process.exit(1)
}
const main = join(dirname(here), "../../../packages/sandbox/src/main.ts")
/** Starts a 10 M-row sandbox (rate limit off) with `extra` flags; resolves to its URL. */
const startSandbox = (extra: ReadonlyArray<string>) => {
  const sandbox = spawn(
    process.execPath,
    [main, "--port", "0", "--rows", "10000000", "--seed", "1", "--faults", '{"rateLimit":false}', ...extra],
    { stdio: ["ignore", "pipe", "inherit"] }
  )
  sandboxes.push(sandbox)
  sandbox.on("exit", (code) => {
    if (code !== 0 && code !== null) fail(`the sandbox exited with ${code}`)
  })
  return new Promise<string>((resolve) => {
    let out = ""
    const timer = setTimeout(() => fail("the sandbox did not start within 30 s"), 30_000)
    sandbox.stdout!.setEncoding("utf8")
    sandbox.stdout!.on("data", (chunk: string) => {
      if (out.length < 10_000) out += chunk
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
  })
}
const [safeUrl, bigUrl] = await Promise.all([startSandbox(["--order-ids", "safe"]), startSandbox([])])

const targetAt = (url: string): Target => ({
  url,
  username: fixtures.user.username,
  password: fixtures.user.password,
  tableId: fixtures.ordersTable.id
})
const child = (who: "bare" | "client", target: Target, total: number, flags: ReadonlyArray<string>) =>
  new Promise<Measurement>((resolve) => {
    // Lean runs get the lean environment too, as the CLI's launcher is meant to set it.
    const env = flags === lean ? { ...process.env, ...NodeFlags.leanMemoryEnv } : process.env
    const p = spawn(process.execPath, [...flags, here, "--measure", who, JSON.stringify(target), String(total)], {
      stdio: ["ignore", "pipe", "inherit"],
      env
    })
    let out = ""
    p.stdout.setEncoding("utf8")
    p.stdout.on("data", (c: string) => {
      out += c
    })
    p.on("exit", (code) => {
      if (code !== 0) fail(`the ${who} reader exited with ${code}`)
      resolve(JSON.parse(out) as Measurement)
    })
  })

/**
 * Milliseconds per page for each parser on `source` (a saved page, or `synthetic:<bigEvery>`): each parser runs in
 * its own child process (5 untimed pages, then 20 timed, each result kept until the next), the parsers in turn,
 * five rounds; the median counts. Own processes, as for the readers: timed in one process, one parser's garbage
 * and heap sizing carried over to the next (alternating batches of 8 in one process gave `JSON.parse` 39–50 ms
 * per page where alone it took ~70, and `parseJsonExact` with a big integer on every row 0.44–0.55 of it, against
 * 0.54–0.56 with each parser in its own process).
 */
const parseTimes = async <P extends string>(source: string, parsers: ReadonlyArray<P>) => {
  const times = new Map<P, Array<number>>(parsers.map((p) => [p, []]))
  for (let round = 0; round < 5; round++) {
    for (const parser of parsers) {
      const out = await new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [here, "--parse", source, parser], { stdio: ["ignore", "pipe", "inherit"] })
        let text = ""
        p.stdout.setEncoding("utf8")
        p.stdout.on("data", (c: string) => {
          text += c
        })
        p.on("exit", (code) => {
          if (code !== 0) fail(`the ${parser} parse of ${source} exited with ${code}`)
          resolve(text)
        })
      })
      times.get(parser)!.push((JSON.parse(out) as { msPerPage: number }).msPerPage)
    }
  }
  return Object.fromEntries([...times].map(([parser, ms]) => [parser, ms.sort((a, b) => a - b)[2]!])) as Record<
    P,
    number
  >
}
const pages = mkdtempSync(join(tmpdir(), "spotpipe-core-bench-"))

const live = ["--expose-gc"]
const lean = NodeFlags.leanMemory
type Run = readonly [name: string, who: "bare" | "client", rows: number, flags: ReadonlyArray<string>]
/** Runs each reader in turn against `target`; both read the same result and stop after N rows. */
const runAll = async (target: Target, runs: ReadonlyArray<Run>) => {
  const results: Array<readonly [string, Measurement]> = []
  for (const [name, who, total, flags] of runs) {
    const m = await child(who, target, total, flags)
    if (m.rows !== total) fail(`the ${who} reader got ${m.rows} rows, expected ${total}`)
    results.push([name, m])
  }
  return results
}
/**
 * The 10 M comparison runs in three rounds (bare, client, client lean), and each ratio is the median of the
 * rounds' own ratios: on these shared machines one reader's time moves by ±15 % from minute to minute, so one
 * pair can land on either side of a bar that the three rounds agree on.
 */
const rounds = [1, 2, 3] as const
const results = await runAll(targetAt(safeUrl), [
  ["bare 1 M", "bare", 1_000_000, []],
  ["client 1 M", "client", 1_000_000, []],
  ["client 1 M lean", "client", 1_000_000, lean],
  ...rounds.flatMap(
    (r): ReadonlyArray<Run> => [
      [`bare 10 M #${r}`, "bare", 10_000_000, []],
      [`client 10 M #${r}`, "client", 10_000_000, []],
      [`client 10 M lean #${r}`, "client", 10_000_000, lean]
    ]
  ),
  ["client 1 M live", "client", 1_000_000, live],
  ["client 10 M live", "client", 10_000_000, live]
])
const bigResults = await runAll(targetAt(bigUrl), [
  ["bare 3 M", "bare", 3_000_000, []],
  ["client 3 M", "client", 3_000_000, []],
  ["client 3 M lean", "client", 3_000_000, lean]
])

/** One real 100 000-row page of a sandbox, saved for the parse children: its parse times (see `parseTimes`). */
const pageParse = async (url: string, name: string) => {
  const headers = { "content-type": "application/json", accept: "application/json", "user-agent": "bench" }
  const { username, password, tableId } = targetAt(url)
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${url}/api/rest/2.0/${path}`, {
      method: "POST",
      headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
      body: JSON.stringify(body)
    }).then((r) => r.text())
  const { token } = JSON.parse(await post("auth/token/full", { username, password })) as { token: string }
  const text = await post(
    "searchdata",
    {
      logical_table_identifier: tableId,
      query_string: query,
      data_format: "COMPACT",
      record_offset: 0,
      record_size: pageSize
    },
    token
  )
  const bytes = Buffer.from(text)
  const split = splitDataRows(bytes, (start, names) => readRowsInPieces(bytes, start, names.length))
  if (split?.items[0]?.rowCount !== pageSize) fail("the page was not read in pieces")
  const file = join(pages, `${name}.json`)
  writeFileSync(file, text)
  return parseTimes(file, ["plain", "exact", "pieces"])
}
const safeParse = await pageParse(safeUrl, "safe")
const bigParse = await pageParse(bigUrl, "big")
for (const s of sandboxes) s.kill("SIGTERM")

const rate = (m: Measurement) => m.rows / m.seconds
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
const table = (rows: ReadonlyArray<readonly [string, Measurement]>) => {
  console.log(
    "reader              rows/s       wall s   client CPU s   CPU µs/row   peak RSS MB   live heap MB   import s"
  )
  for (const [name, m] of rows) {
    console.log(
      `${name.padEnd(18)} ${fmt(rate(m)).padStart(10)} ${fmt(m.seconds, 1).padStart(10)} ${fmt(m.cpuSeconds, 1).padStart(12)} ${fmt((m.cpuSeconds / m.rows) * 1e6, 2).padStart(12)} ${fmt(m.peakRssMb).padStart(12)} ${m.peakLiveHeapMb > 0 ? fmt(m.peakLiveHeapMb).padStart(14) : "             -"} ${m.importSeconds > 0 ? fmt(m.importSeconds, 2).padStart(10) : "         -"}`
    )
  }
}
console.log(
  `searchdata, ${pageSize.toLocaleString("en-US")}-row pages, 5 columns; "lean" = ${lean.join(" ")} with ${Object.entries(
    NodeFlags.leanMemoryEnv
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at the end`
)
console.log()
console.log("Targets — sandbox --order-ids safe (Order IDs within 2^53: both readers do the same work, exactly):")
table(results)
const get = (name: string) => results.find(([n]) => n === name)![1]
/** The median over the rounds of the client's rows/s ÷ the same round's bare rows/s, and the rounds' ratios. */
const roundRatios = (client: string) => {
  const ratios = rounds.map((r) => rate(get(`${client} #${r}`)) / rate(get(`bare 10 M #${r}`)))
  return { median: [...ratios].sort((a, b) => a - b)[1]!, each: ratios.map((x) => x.toFixed(2)).join(", ") }
}
const ratio = roundRatios("client 10 M")
const ratioLean = roundRatios("client 10 M lean")
// The highest of the three rounds: the target is a ceiling.
const rss10 = Math.max(...rounds.map((r) => get(`client 10 M lean #${r}`).peakRssMb))
const rss10Default = Math.max(...rounds.map((r) => get(`client 10 M #${r}`).peakRssMb))
const rss1 = get("client 1 M lean").peakRssMb
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS")
console.log()
console.log(
  `${verdict(ratio.median >= 0.8)}  client rows/s ÷ bare fetch+JSON.parse rows/s (10 M) = ${ratio.median.toFixed(2)}, median of rounds (${ratio.each}) (target ≥ 0.80)`
)
console.log(
  `${verdict(ratioLean.median >= 0.8)}  client with NodeFlags.leanMemory rows/s ÷ bare rows/s (10 M) = ${ratioLean.median.toFixed(2)}, median of rounds (${ratioLean.each}) (target ≥ 0.80)`
)
console.log(
  `${verdict(rss10 < 300)}  client peak RSS at 10 M rows, NodeFlags.leanMemory = ${fmt(rss10)} MB, highest of the rounds (target < 300 MB; default flags: ${fmt(rss10Default)} MB)`
)
console.log(
  `${verdict(rss1 < 300 && rss10 <= rss1 * 1.2)}  client peak RSS flat, NodeFlags.leanMemory: ${fmt(rss1)} MB at 1 M → ${fmt(rss10)} MB at 10 M (target: < 300 MB, within 20 %)`
)
const live1 = get("client 1 M live").peakLiveHeapMb
const live10 = get("client 10 M live").peakLiveHeapMb
console.log(
  `${verdict(live10 <= live1 * 1.15 + 10)}  client live heap (after GC, "live" runs) flat: ${fmt(live1)} MB at 1 M → ${fmt(live10)} MB at 10 M (O(pages in flight))`
)
console.log(
  `info  one page: JSON.parse ${fmt(safeParse.plain, 1)} ms, parseJsonExact ${fmt(safeParse.exact, 1)} ms (${(safeParse.plain / safeParse.exact).toFixed(2)} of JSON.parse; no unsafe integers, so no scan), the client's read in pieces ${fmt(safeParse.pieces, 1)} ms (${(safeParse.plain / safeParse.pieces).toFixed(2)})`
)

console.log()
console.log(
  "Not a target — default sandbox data (Order IDs beyond 2^53 on nearly every row): the client keeps them exact,"
)
console.log("the bare loop's JSON.parse rounds them (its output is wrong), so the ratio includes exact parsing:")
table(bigResults)
const bigGet = (name: string) => bigResults.find(([n]) => n === name)![1]
console.log()
console.log(
  `info  client rows/s ÷ bare rows/s (3 M) = ${(rate(bigGet("client 3 M")) / rate(bigGet("bare 3 M"))).toFixed(2)}; lean ${(rate(bigGet("client 3 M lean")) / rate(bigGet("bare 3 M"))).toFixed(2)}`
)
console.log(
  `info  one page: JSON.parse ${fmt(bigParse.plain, 1)} ms, parseJsonExact ${fmt(bigParse.exact, 1)} ms (${(bigParse.plain / bigParse.exact).toFixed(2)} of JSON.parse; issue target for pages with big integers ≥ 0.5), the client's read in pieces ${fmt(bigParse.pieces, 1)} ms (${(bigParse.plain / bigParse.pieces).toFixed(2)})`
)

// ── micro-bench: exact big-integer parsing vs JSON.parse ────────────────────────────────────────────────────
console.log()
console.log("parse of one 100 000-row page    JSON.parse ms   parseJsonExact ms   speed vs JSON.parse")
const microTargets: Array<readonly [string, number, number]> = [
  ["no big integers", 0, 0.9],
  ["big integer in 1 row of 10", 10, 0.5],
  ["big integer in every row", 1, 0.5]
]
for (const [name, every, target] of microTargets) {
  const { plain, exact } = await parseTimes(`synthetic:${every}`, ["plain", "exact"])
  const speed = plain / exact
  console.log(
    `${name.padEnd(32)} ${fmt(plain, 1).padStart(13)} ${fmt(exact, 1).padStart(19)} ${speed.toFixed(2).padStart(12)}  ${verdict(speed >= target)} (≥ ${target})`
  )
}
rmSync(pages, { recursive: true, force: true })
process.exit(0)
