/**
 * In-process render timing: milliseconds to render one 100 000-row page of "Order Details" (all ten columns),
 * fresh each time, without HTTP, through the engine's page cache as the server does (page memory is reused once a
 * page leaves the cache). Prints the median over scattered pages; run under `node --cpu-prof` to see where
 * rendering spends its time. Usage: node test/bench/src/sandbox/render.ts [pages] [COMPACT|FULL] [calendar]
 */
import { Engine } from "../../../../packages/sandbox/src/internal/Engine.ts"
import { type CustomCalendar, orderColumns } from "../../../../packages/sandbox/src/internal/Orders.ts"
import { QueryError } from "../../../../packages/sandbox/src/internal/Query.ts"
import type { DataFormat } from "../../../../packages/sandbox/src/internal/ResultSet.ts"

const pages = Number(process.argv[2] ?? 15)
const format: DataFormat = process.argv[3] === "FULL" ? "FULL" : "COMPACT"
const calendarArg = process.argv[4]
const calendar: CustomCalendar = calendarArg === "true" ? true : calendarArg === "with-end" ? "with-end" : false
const pageSize = 100_000

const engine = new Engine(1, 10_000_000, "America/Los_Angeles", calendar)
const plan = engine.parse(`${orderColumns.map((c) => `[${c.name}]`).join(" ")} sort by [Order ID]`)
if (plan instanceof QueryError) throw new Error(plan.message)
const result = engine.result(plan)
if (result instanceof QueryError) throw new Error(result.message)

// Wall time, and this thread's CPU time (less disturbed by other processes on a shared machine).
const wall: Array<number> = []
const cpu: Array<number> = []
let bytes = 0
for (let i = 0; i < pages + 2; i++) {
  const from = 250_000 + ((i * 550_000) % 9_000_000)
  const c = process.threadCpuUsage()
  const t = performance.now()
  const page = engine.page(plan, result, from, from + pageSize, format)
  const ms = performance.now() - t
  engine.release(page)
  const used = process.threadCpuUsage(c)
  bytes = page.length
  if (i >= 2) {
    // The first two pages warm up the JIT.
    wall.push(ms)
    cpu.push((used.user + used.system) / 1000)
  }
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `${format} calendar=${String(calendar)}: ${(bytes / 1e6).toFixed(1)} MB/page, render ms/page median ` +
    `${median(wall).toFixed(1)} wall, ${median(cpu).toFixed(1)} CPU (min wall ${Math.min(...wall).toFixed(1)}, ${wall.length} pages)`
)
