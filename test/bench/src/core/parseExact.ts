/**
 * Focused micro-bench of `parseJsonExact` against plain `JSON.parse` on real sandbox pages (the core bench's
 * 100 000-row `searchdata` page, whose Order IDs are beyond 2^53, and the ten-column Orders page) and on a page
 * without big integers. Interleaved runs, so load from other processes hits both alike; prints the median and
 * the best of each, and the load average. Target (issue 4): exact parsing at ≥ 0.8 of `JSON.parse`.
 * Run: `npx pnpm@12.4.2 exec node test/bench/src/core/parseExact.ts [repetitions]`.
 */
import { Agent } from "node:http"
import { loadavg } from "node:os"
import { parseJsonExact } from "@spotpipe/core"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { credentials, ordersQuery, postRaw } from "../export/wire.ts"

const repetitions = Number(process.argv[2] ?? 21)
const sandbox = await startSandbox({ rows: 200_000, seed: 1 })
const agent = new Agent({ keepAlive: true })
const text = async (path: string, body: unknown, token?: string): Promise<string> => {
  const { status, bytes } = await postRaw(agent, sandbox.url, path, body, token)
  if (status !== 200) throw new Error(`${path} answered ${status}`)
  return bytes.toString("utf8")
}
const { token } = JSON.parse(await text("auth/token/full", credentials)) as { token: string }
const page = (query: string) =>
  text(
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
const pages: ReadonlyArray<readonly [string, string]> = [
  [
    "core bench page (5 columns)",
    await page("[Order ID] [Region] [Customer] [Revenue] [Order Date] sort by [Order ID]")
  ],
  ["Orders page (10 columns)", await page(ordersQuery)],
  ["no big integers (5 columns)", await page("[Region] [Customer] [Revenue] [Order Date] [Quantity]")]
]
agent.destroy()
await sandbox.close()

const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[xs.length >> 1]!
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; ${repetitions} interleaved runs each`
)
console.log("page                            MB   JSON.parse ms (med/best)   exact ms (med/best)   speed (med/best)")
let worst = Number.POSITIVE_INFINITY
for (const [name, body] of pages) {
  const plain: Array<number> = []
  const exact: Array<number> = []
  for (let i = 0; i < repetitions; i++) {
    let t = performance.now()
    JSON.parse(body)
    plain.push(performance.now() - t)
    t = performance.now()
    parseJsonExact(body)
    exact.push(performance.now() - t)
  }
  const best = Math.min(...plain) / Math.min(...exact)
  const med = median(plain) / median(exact)
  if (name !== pages[2]![0]) worst = Math.min(worst, med)
  console.log(
    `${name.padEnd(30)} ${(body.length / 1e6).toFixed(1).padStart(4)} ${`${median(plain).toFixed(1)} / ${Math.min(...plain).toFixed(1)}`.padStart(20)} ${`${median(exact).toFixed(1)} / ${Math.min(...exact).toFixed(1)}`.padStart(21)} ${`${med.toFixed(2)} / ${best.toFixed(2)}`.padStart(18)}`
  )
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`
)
console.log(
  `${worst >= 0.8 ? "PASS" : "MISS"}  exact parse of big-integer pages at ${worst.toFixed(2)} of JSON.parse (median; target ≥ 0.80)`
)
