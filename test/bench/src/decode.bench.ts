/**
 * `pnpm bench decode`: decode and render 10 million DATE cells to `YYYY-MM-DD` in America/Los_Angeles with
 * `@spotpipe/decode`'s renderer, plain epoch and Custom Calendar forms, against a per-cell
 * `Intl.DateTimeFormat` baseline. Targets (issue 2): ≥ 10 M cells/s, and ≥ 8× the baseline.
 *
 * Cells are local-midnight bucket starts (what ThoughtSpot sends for DATE columns) of days drawn at random from
 * 1990–2030, in random order: the day cache helps less than on sorted data. Variants:
 * - plain epoch: one 10 M array of numbers;
 * - Custom Calendar as an export meets them: 100 pages of 100 k `{"v":{"s":…}}` cells (ThoughtSpot's largest
 *   page), each made by `JSON.parse` of a page text just before it is rendered (only rendering is timed);
 * - Custom Calendar, cold: 1 M distinct objects held in memory and rendered 10 times (worst case for caches).
 * The baseline is far slower, so it runs on the first 200 k cells and its rate is extrapolated.
 * Each figure is the best of 3 timed passes after a warm-up pass.
 */
import { loadavg } from "node:os"
import { makeCellRenderer, resolveTimeZone, type TimeZone } from "@spotpipe/decode"

const ZONE = "America/Los_Angeles"
const CELLS = 10_000_000
const CALENDAR_DISTINCT = 1_000_000
const PAGE = 100_000
const PAGE_TEXTS = 10
const BASELINE_CELLS = 200_000
const PASSES = 3
const TARGET_RATE = 10_000_000
const TARGET_SPEEDUP = 8

const zone = resolveTimeZone(ZONE)
if (!("offsetSeconds" in zone)) {
  console.error(`cannot run: ${zone.message}`)
  process.exit(1)
}
const la: TimeZone = zone

// Deterministic data: a small xorshift PRNG, so every run renders the same cells.
let seed = 0x9e3779b9
const random = (): number => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 2 ** 32
}
const firstDay = Date.UTC(1990, 0, 1) / 86_400_000
const lastDay = Date.UTC(2030, 11, 31) / 86_400_000
/** Local midnight in Los Angeles of a day number (the zone's offset at local noon never straddles midnight). */
const localMidnight = (day: number): number => day * 86400 - la.offsetSeconds(day * 86400 + 43200)

const epochCells = new Float64Array(CELLS)
for (let i = 0; i < CELLS; i++) epochCells[i] = localMidnight(firstDay + Math.floor(random() * (lastDay - firstDay)))
const epochArray: Array<number> = Array.from(epochCells)
const calendarCells: Array<{ v: { s: number } }> = []
for (let i = 0; i < CALENDAR_DISTINCT; i++) calendarCells.push({ v: { s: epochArray[i]! } })

const pageTexts: Array<string> = []
for (let p = 0; p < PAGE_TEXTS; p++) {
  pageTexts.push(JSON.stringify(epochArray.slice(p * PAGE, (p + 1) * PAGE).map((s) => ({ v: { s } }))))
}

/**
 * Runs `pass` (which renders `count` cells, adds the milliseconds it spent rendering to `clock.ms`, and returns a
 * checksum) once to warm up and PASSES times timed; returns the best rate in cells/s.
 */
const measure = (count: number, pass: (clock: { ms: number }) => number): { rate: number; checksum: number } => {
  pass({ ms: 0 }) // warm-up
  let best = 0
  let checksum = 0
  for (let p = 0; p < PASSES; p++) {
    const clock = { ms: 0 }
    checksum = pass(clock)
    best = Math.max(best, count / (clock.ms / 1000))
  }
  return { rate: best, checksum }
}
/** Times one synchronous loop into `clock`. */
const timed = (clock: { ms: number }, loop: () => number): number => {
  const started = performance.now()
  const result = loop()
  clock.ms += performance.now() - started
  return result
}

const loadBefore = loadavg()[0]!
const failures: Array<string> = []
const checkText = (label: string, text: unknown): void => {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) failures.push(`${label} rendered ${String(text)}`)
}

const renderEpoch = makeCellRenderer("DATE", { timeZone: la })
const epoch = measure(CELLS, (clock) =>
  timed(clock, () => {
    let chars = 0
    for (let i = 0; i < CELLS; i++) {
      const text = renderEpoch(epochArray[i], i)
      if (typeof text === "string") chars += text.length
    }
    return chars
  })
)
checkText("epoch", renderEpoch(epochArray[0]))

const renderPages = makeCellRenderer("DATE", { timeZone: la })
const pages = measure(CELLS, (clock) => {
  let chars = 0
  for (let p = 0; p < CELLS / PAGE; p++) {
    const page = JSON.parse(pageTexts[p % PAGE_TEXTS]!) as Array<unknown>
    chars += timed(clock, () => {
      let pageChars = 0
      for (let i = 0; i < page.length; i++) {
        const text = renderPages(page[i], i)
        if (typeof text === "string") pageChars += text.length
      }
      return pageChars
    })
  }
  return chars
})
checkText("pages", renderPages((JSON.parse(pageTexts[0]!) as Array<unknown>)[0]))

const renderCalendar = makeCellRenderer("DATE", { timeZone: la })
const calendar = measure(CELLS, (clock) =>
  timed(clock, () => {
    let chars = 0
    for (let round = 0; round < CELLS / CALENDAR_DISTINCT; round++) {
      for (let i = 0; i < CALENDAR_DISTINCT; i++) {
        const text = renderCalendar(calendarCells[i], i)
        if (typeof text === "string") chars += text.length
      }
    }
    return chars
  })
)
checkText("calendar", renderCalendar(calendarCells[0]))

// Baseline: what a straightforward implementation does per cell — validate, then Intl.DateTimeFormat#format.
const intl = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
const baselineRender = (cell: unknown): string | null => {
  if (cell === null) return null
  const s = typeof cell === "number" ? cell : (cell as { v: { s: number } }).v.s
  if (!Number.isInteger(s)) throw new Error("bad cell")
  return intl.format(new Date(s * 1000))
}
const baseline = measure(BASELINE_CELLS, (clock) =>
  timed(clock, () => {
    let chars = 0
    for (let i = 0; i < BASELINE_CELLS; i++) chars += baselineRender(epochArray[i])!.length
    return chars
  })
)

// Both implementations must agree on what they rendered (a fast wrong answer is no answer).
for (let i = 0; i < BASELINE_CELLS; i += 997) {
  const ours = renderEpoch(epochArray[i])
  const theirs = baselineRender(epochArray[i])
  if (ours !== theirs) failures.push(`cell ${i} (${epochArray[i]}): ours ${String(ours)}, Intl ${theirs}`)
}
if (epoch.checksum !== calendar.checksum || epoch.checksum !== pages.checksum || epoch.checksum !== CELLS * 10) {
  failures.push("checksums differ: cells were skipped")
}

const m = (rate: number): string => `${(rate / 1e6).toFixed(2)} M/s`
const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS")
console.log(`decode + render ${CELLS / 1e6} M DATE cells -> YYYY-MM-DD in ${ZONE} (best of ${PASSES} passes)`)
console.log("| variant (@spotpipe/decode unless noted)   | cells/s     | vs Intl | ≥ 10 M/s | ≥ 8× Intl |")
console.log("|-------------------------------------------|-------------|---------|----------|-----------|")
for (const [label, rate] of [
  ["plain epoch, one 10 M array", epoch.rate],
  ["Custom Calendar, JSON.parse'd 100 k pages", pages.rate],
  ["Custom Calendar, 1 M cold objects", calendar.rate]
] as const) {
  const speedup = rate / baseline.rate
  console.log(
    `| ${label.padEnd(41)} | ${m(rate).padStart(11)} | ${speedup.toFixed(1).padStart(6)}× | ${verdict(rate >= TARGET_RATE).padEnd(8)} | ${verdict(speedup >= TARGET_SPEEDUP).padEnd(9)} |`
  )
}
console.log(
  `| ${"Intl.DateTimeFormat per cell (baseline)".padEnd(41)} | ${m(baseline.rate).padStart(11)} | ${"1.0".padStart(6)}× | ${"".padEnd(8)} | ${"".padEnd(9)} |`
)
console.log(
  `baseline measured on ${BASELINE_CELLS / 1000} k cells and extrapolated (10 M would take ~${(CELLS / baseline.rate).toFixed(0)} s).`
)
console.log(
  `1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (on a shared machine figures drop with load).`
)
if (failures.length > 0) {
  console.error(`bench invalid:\n${failures.join("\n")}`)
  process.exit(1)
}
