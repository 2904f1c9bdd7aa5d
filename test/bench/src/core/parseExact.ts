/**
 * Focused micro-bench of `parseJsonExact` against plain `JSON.parse`: the core bench's synthetic 100 000-row pages
 * (a big integer in every row, in 1 row of 10, in none) and real sandbox pages (the core bench's page, whose Order
 * IDs are beyond 2^53, the ten-column Orders page, and a page without big integers). Each page is parsed from its
 * text alone and with its body bytes too (`{ bytes }`, as the client calls it). Runs are interleaved, so load from
 * other processes hits every variant alike; prints best and median of each and the load average.
 * Target: exact parsing at ≥ 0.5 of `JSON.parse` on pages with big integers (client route, best of N).
 * Run: `npx pnpm@12.4.2 exec node test/bench/src/core/parseExact.ts [repetitions] [--synthetic]`.
 */
import { Agent } from "node:http"
import { loadavg } from "node:os"
import { parseJsonExact } from "@spotpipe/core"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { credentials, ordersQuery, postRaw } from "../export/wire.ts"
import { type SyntheticPage, syntheticPage } from "./syntheticPage.ts"

const repetitions = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 21)
const syntheticOnly = process.argv.includes("--synthetic")

const pages: Array<readonly [name: string, page: SyntheticPage, big: boolean]> = [
  ["synthetic: big integer every row", syntheticPage(1), true],
  ["synthetic: big integer 1 row in 10", syntheticPage(10), true],
  ["synthetic: no big integers", syntheticPage(0), false]
]
if (!syntheticOnly) {
  const sandbox = await startSandbox({ rows: 200_000, seed: 1 })
  const agent = new Agent({ keepAlive: true })
  const body = async (path: string, request: unknown, token?: string): Promise<Buffer> => {
    const { status, bytes } = await postRaw(agent, sandbox.url, path, request, token)
    if (status !== 200) throw new Error(`${path} answered ${status}`)
    return bytes
  }
  const { token } = JSON.parse((await body("auth/token/full", credentials)).toString("utf8")) as { token: string }
  const page = async (query: string): Promise<SyntheticPage> => {
    const bytes = await body(
      "searchdata",
      {
        logical_table_identifier: fixtures.ordersTable.id,
        query_string: query,
        data_format: "COMPACT",
        record_offset: 0,
        record_size: 100_000
      },
      token
    )
    return { bytes, text: bytes.toString("utf8") }
  }
  pages.push(
    [
      "real: core bench page (5 columns)",
      await page("[Order ID] [Region] [Customer] [Revenue] [Order Date] sort by [Order ID]"),
      true
    ],
    ["real: Orders page (10 columns)", await page(ordersQuery), true],
    ["real: no big integers", await page("[Region] [Customer] [Revenue] [Order Date] [Quantity]"), false]
  )
  agent.destroy()
  await sandbox.close()
}

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const best = (xs: Array<number>) => Math.min(...xs)
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")
console.log(`load average before: ${load()}; ${repetitions} interleaved runs each; times in ms as best / median`)
console.log(
  `${"page".padEnd(36)}   MB ${"JSON.parse".padStart(13)} ${"exact (text)".padStart(13)} ${"exact (bytes)".padStart(13)}   speed text / bytes (best)`
)
let worst = Number.POSITIVE_INFINITY
for (const [name, { bytes, text }, big] of pages) {
  const plain: Array<number> = []
  const fromText: Array<number> = []
  const fromBytes: Array<number> = []
  const options = { rejectOutOfRange: true, bytes }
  for (let i = 0; i < repetitions; i++) {
    let t = performance.now()
    JSON.parse(text)
    plain.push(performance.now() - t)
    t = performance.now()
    parseJsonExact(text, { rejectOutOfRange: true })
    fromText.push(performance.now() - t)
    t = performance.now()
    parseJsonExact(text, options)
    fromBytes.push(performance.now() - t)
  }
  const cell = (xs: Array<number>) => `${best(xs).toFixed(1)} / ${median(xs).toFixed(1)}`.padStart(13)
  const speedText = best(plain) / best(fromText)
  const speedBytes = best(plain) / best(fromBytes)
  if (big) worst = Math.min(worst, speedBytes)
  console.log(
    `${name.padEnd(36)} ${(bytes.length / 1e6).toFixed(1).padStart(4)} ${cell(plain)} ${cell(fromText)} ${cell(fromBytes)}   ${speedText.toFixed(2)} / ${speedBytes.toFixed(2)}`
  )
}
console.log(`load average after: ${load()}`)
console.log(
  `${worst >= 0.5 ? "PASS" : "MISS"}  exact parse (with body bytes) of big-integer pages at ${worst.toFixed(2)} of JSON.parse (worst page, best of ${repetitions}; target ≥ 0.50)`
)
