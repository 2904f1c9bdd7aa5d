/**
 * Evidence for the offset table's one assumption (see src/internal/ZoneTable.ts): no two UTC offset changes of any
 * zone lie closer than its 18 h sampling step. Two scans, printing the zones whose changes come closest together:
 * - every zone this runtime's Intl knows, 1800–2100, at a 1-day step. It cannot see two changes less than a day
 *   apart that return to the first offset, the very case the assumption excludes;
 * - so also, where the system has the compiled tz database (/usr/share/zoneinfo), each zone's exact list of
 *   transitions (TZif version 2+ data, every change to the second, until its version's last explicit one).
 * Not part of the test run (it takes minutes): `npx pnpm@12.4.2 exec node packages/decode/test/tzGapScan.ts`
 */
import { existsSync, readFileSync } from "node:fs"

const from = Date.UTC(1800, 0, 1) / 1000
const to = Date.UTC(2100, 0, 1) / 1000
const day = 86400
const zones = Intl.supportedValuesOf("timeZone")

const offsetOf = (format: Intl.DateTimeFormat, t: number): string => {
  const text = format.format(t * 1000)
  return text.slice(text.lastIndexOf("GMT"))
}

const rows: Array<{ zone: string; gapDays: number; at: string }> = []
for (const zone of zones) {
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

/** A zone's offset changes (time, new offset) from its TZif file's 64-bit data, or undefined without one. */
const tzifChanges = (zone: string): Array<{ t: number; offset: number }> | undefined => {
  const path = `/usr/share/zoneinfo/${zone}`
  if (!existsSync(path)) return undefined
  const bytes = readFileSync(path)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const header = (at: number) => ({
    version: bytes[at + 4]!,
    isut: view.getUint32(at + 20),
    isstd: view.getUint32(at + 24),
    leap: view.getUint32(at + 28),
    times: view.getUint32(at + 32),
    types: view.getUint32(at + 36),
    chars: view.getUint32(at + 40)
  })
  const v1 = header(0)
  if (bytes.toString("latin1", 0, 4) !== "TZif" || v1.version < 0x32) return undefined
  // Skip the 32-bit block to the 64-bit one.
  const second = 44 + v1.times * 5 + v1.types * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut
  const h = header(second)
  let at = second + 44
  const times = Array.from({ length: h.times }, (_, i) => Number(view.getBigInt64(at + 8 * i)))
  at += 8 * h.times
  const typeOf = Array.from({ length: h.times }, (_, i) => bytes[at + i]!)
  at += h.times
  const offsets = Array.from({ length: h.types }, (_, i) => view.getInt32(at + 6 * i))
  const changes: Array<{ t: number; offset: number }> = []
  let current = offsets[0]!
  for (const [i, t] of times.entries()) {
    const offset = offsets[typeOf[i]!]!
    if (offset !== current) changes.push({ t, offset })
    current = offset
  }
  return changes
}

if (existsSync("/usr/share/zoneinfo")) {
  const exact: Array<{ zone: string; gapHours: number; at: string }> = []
  let missing = 0
  for (const zone of zones) {
    const changes = tzifChanges(zone)
    if (changes === undefined) {
      missing++
      continue
    }
    for (let i = 1; i < changes.length; i++) {
      const gap = changes[i]!.t - changes[i - 1]!.t
      exact.push({ zone, gapHours: gap / 3600, at: new Date(changes[i - 1]!.t * 1000).toISOString() })
    }
  }
  exact.sort((a, b) => a.gapHours - b.gapHours)
  const version = /^# version (\S+)/m.exec(
    existsSync("/usr/share/zoneinfo/tzdata.zi") ? readFileSync("/usr/share/zoneinfo/tzdata.zi", "latin1") : ""
  )?.[1]
  console.log(
    `closest offset changes (exact TZif transitions, tzdata ${version ?? "of unknown version"}, ${zones.length - missing} zones):`
  )
  for (const row of exact.slice(0, 10)) {
    console.log(`${row.gapHours.toFixed(1).padStart(7)} hours  ${row.zone}  ${row.at}`)
  }
}
