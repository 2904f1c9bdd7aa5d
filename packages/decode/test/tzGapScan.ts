/**
 * Evidence for the offset table's one assumption (see src/internal/ZoneTable.ts): no two UTC offset changes of any
 * zone lie closer than its 18 h sampling step. Scans every zone this runtime's Intl knows, 1800–2100, at a 1-day
 * step and prints the zones whose changes come closest together. Not part of the test run (it takes minutes):
 * `npx pnpm@12.4.2 exec node packages/decode/test/tzGapScan.ts`
 */
const from = Date.UTC(1800, 0, 1) / 1000
const to = Date.UTC(2100, 0, 1) / 1000
const day = 86400

const offsetOf = (format: Intl.DateTimeFormat, t: number): string => {
  const text = format.format(t * 1000)
  return text.slice(text.lastIndexOf("GMT"))
}

const rows: Array<{ zone: string; gapDays: number; at: string }> = []
for (const zone of Intl.supportedValuesOf("timeZone")) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
  let previous = offsetOf(format, from)
  let lastChange: number | undefined
  let gap = Number.POSITIVE_INFINITY
  let at = ""
  for (let t = from + day; t < to; t += day) {
    const offset = offsetOf(format, t)
    if (offset === previous) continue
    if (lastChange !== undefined && t - lastChange < gap) {
      gap = t - lastChange
      at = new Date(t * 1000).toISOString().slice(0, 10)
    }
    lastChange = t
    previous = offset
  }
  rows.push({ zone, gapDays: gap / day, at })
}
rows.sort((a, b) => a.gapDays - b.gapDays)
console.log(`closest offset changes (1-day sampling, 1800–2100, ${rows.length} zones):`)
for (const row of rows.slice(0, 10)) console.log(`${String(row.gapDays).padStart(5)} days  ${row.zone}  ${row.at}`)
