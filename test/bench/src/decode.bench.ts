/**
 * `pnpm bench decode`: decode and render 10 million DATE cells to `YYYY-MM-DD` in America/Los_Angeles with
 * `@spotpipe/decode`'s renderer, plain epoch and Custom Calendar forms, against a per-cell
 * `Intl.DateTimeFormat` baseline. Targets: ≥ 10 M cells/s, and ≥ 8× the baseline.
 *
 * Cells are local-midnight bucket starts (what ThoughtSpot sends for DATE columns) of days drawn at random from
 * 1990–2030, in random order: the day cache helps less than on sorted data. Variants:
 * - plain epoch: one 10 M array of numbers;
 * - plain epoch through the byte writer (`makeCellWriter`, the exporter's form): the same text as bytes into a
 *   reused buffer, no string;
 * - Custom Calendar as an export meets them: 100 pages of 100 k `{"v":{"s":…}}` cells (ThoughtSpot's largest
 *   page), each made by `JSON.parse` of a page text just before it is rendered (only rendering is timed);
 * - Custom Calendar, cold: 1 M distinct objects held in memory and rendered 10 times (worst case for caches).
 * The baseline is far slower, so it runs on the first 200 k cells and its rate is extrapolated.
 * Each figure is the best of 3 timed passes after a warm-up pass.
 */
import { loadavg } from "node:os"
import { MAX_CELL_BYTES, makeCellRenderer, makeCellWriter, resolveTimeZone, type TimeZone } from "@spotpipe/decode"

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
/**
 * Local midnight in Los Angeles of a day number: the offset at that day's UTC midnight, corrected once when the
 * offset at the instant found differs (the zone changes offset at 02:00, never across midnight). The offset at
 * local noon would miss the midnight of the days the clocks change by an hour.
 */
const localMidnight = (day: number): number => {
  const guess = day * 86400 - la.offsetSeconds(day * 86400)
  return day * 86400 - la.offsetSeconds(guess)
}

const epochCells = new Float64Array(CELLS)
for (let i = 0; i < CELLS; i++) epochCells[i] = localMidnight(firstDay + Math.floor(random() * (lastDay - firstDay)))
const epochArray: Array<number> = Array.from(epochCells)
const calendarCells: Array<{ v: { s: number } }> = []
for (let i = 0; i < CALENDAR_DISTINCT; i++) calendarCells.push({ v: { s: epochArray[i]! } })

const pageTexts: Array<string> = []
for (let p = 0; p < PAGE_TEXTS; p++) {
  pageTexts.push(JSON.stringify(epochArray.slice(p * PAGE, (p + 1) * PAGE).map((s) => ({ v: { s } }))))
}

/** Wall-clock and CPU (user + system of this process) milliseconds spent in timed loops. */
interface Clock {
  wallMs: number
  cpuMs: number
}

/**
 * Runs `pass` (which renders `count` cells, adds the time it spent rendering to the clock, and returns a checksum)
 * once to warm up and PASSES times timed; returns the best wall-clock and the best CPU-time rate in cells/s.
 * CPU time leaves out the time this process waited for a core, so it is the steadier figure on a shared machine.
 */
const measure = (count: number, pass: (clock: Clock) => number): { wall: number; cpu: number; checksum: number } => {
  pass({ wallMs: 0, cpuMs: 0 }) // warm-up
  let wall = 0
  let cpu = 0
  let checksum = 0
  for (let p = 0; p < PASSES; p++) {
    const clock = { wallMs: 0, cpuMs: 0 }
    checksum = pass(clock)
    wall = Math.max(wall, count / (clock.wallMs / 1000))
    cpu = Math.max(cpu, count / (clock.cpuMs / 1000))
  }
  return { wall, cpu, checksum }
}
/** Times one synchronous loop into `clock`. */
const timed = (clock: Clock, loop: () => number): number => {
  const cpuStarted = process.cpuUsage()
  const started = performance.now()
  const result = loop()
  clock.wallMs += performance.now() - started
  const cpu = process.cpuUsage(cpuStarted)
  clock.cpuMs += (cpu.user + cpu.system) / 1000
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

// The byte writer (what the exporter uses): the same text written as bytes into a reused 1 MiB buffer.
const writeEpoch = makeCellWriter("DATE", { timeZone: la })
const written = new Uint8Array(1 << 20)
const bytes = measure(CELLS, (clock) =>
  timed(clock, () => {
    let total = 0
    let at = 0
    for (let i = 0; i < CELLS; i++) {
      if (at + MAX_CELL_BYTES > written.length) {
        total += at
        at = 0
      }
      const end = writeEpoch(epochArray[i], written, at)
      if (end >= 0) at = end
    }
    return (total + at) / 10
  })
)
{
  const end = writeEpoch(epochArray[0], written, 0)
  if (Buffer.from(written.subarray(0, end)).toString("latin1") !== renderEpoch(epochArray[0])) {
    failures.push("the byte writer and the renderer disagree")
  }
}

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
if (
  epoch.checksum !== calendar.checksum ||
  epoch.checksum !== pages.checksum ||
  epoch.checksum !== CELLS * 10 ||
  bytes.checksum !== CELLS
) {
  failures.push("checksums differ: cells were skipped")
}

const m = (rate: number): string => `${(rate / 1e6).toFixed(2)} M/s`
const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS")
const cell = (text: string, width: number): string => text.padEnd(width)
console.log(`decode + render ${CELLS / 1e6} M DATE cells -> YYYY-MM-DD in ${ZONE} (best of ${PASSES} passes)`)
console.log(
  "| variant (@spotpipe/decode unless noted)   | wall cells/s | CPU cells/s | vs Intl (wall / CPU) | ≥ 10 M/s (wall / CPU) | ≥ 8× Intl (wall / CPU) |"
)
console.log(
  "|-------------------------------------------|--------------|-------------|----------------------|-----------------------|------------------------|"
)
for (const [label, r] of [
  ["plain epoch, one 10 M array", epoch],
  ["plain epoch, byte writer (makeCellWriter)", bytes],
  ["Custom Calendar, JSON.parse'd 100 k pages", pages],
  ["Custom Calendar, 1 M cold objects", calendar]
] as const) {
  const wallX = r.wall / baseline.wall
  const cpuX = r.cpu / baseline.cpu
  console.log(
    `| ${cell(label, 41)} | ${m(r.wall).padStart(12)} | ${m(r.cpu).padStart(11)} | ${cell(`${wallX.toFixed(1)}× / ${cpuX.toFixed(1)}×`, 20)} | ${cell(`${verdict(r.wall >= TARGET_RATE)} / ${verdict(r.cpu >= TARGET_RATE)}`, 21)} | ${cell(`${verdict(wallX >= TARGET_SPEEDUP)} / ${verdict(cpuX >= TARGET_SPEEDUP)}`, 22)} |`
  )
}
console.log(
  `| ${cell("Intl.DateTimeFormat per cell (baseline)", 41)} | ${m(baseline.wall).padStart(12)} | ${m(baseline.cpu).padStart(11)} | ${cell("1.0× / 1.0×", 20)} | ${cell("", 21)} | ${cell("", 22)} |`
)
console.log(
  `baseline measured on ${BASELINE_CELLS / 1000} k cells and extrapolated (10 M would take ~${(CELLS / baseline.wall).toFixed(0)} s).`
)
console.log(
  `1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after; CPU cells/s counts only this process's CPU time (steadier on a shared machine; wall-clock is the target's measure on a dedicated one).`
)
if (failures.length > 0) {
  console.error(`bench invalid:\n${failures.join("\n")}`)
  process.exit(1)
}
