/**
 * Exact UTC offsets of one IANA zone, learned lazily from `Intl` and cached as an offset-transition table.
 *
 * Time is cut into aligned chunks of 2^20 s (~12 days). The first lookup in a chunk samples `Intl` every 2^16 s
 * (~18 h) across it and bisects every change to the exact second, so the chunk is stored either as one uniform
 * offset (the usual case: a flat Float64Array slot) or as its list of transitions. A lookup is then an array read,
 * and a one-interval cache in front of it makes runs of nearby instants a pair of comparisons.
 *
 * Exactness rests on one property of the tz database: no two offset changes lie within 18 h of each other
 * (a pair closer than the sampling step that returned to the same offset would be missed). A scan of all 418
 * zones of ICU tz 2026c from 1800 to 2100 at a 1-day step found the closest changes 7 days apart; the exact
 * transition lists of the compiled tz database (tzdata 2025b), which a 1-day step cannot replace, none closer than
 * 95 hours (test/tzGapScan.ts runs both).
 */
import { TWO_DIGITS } from "./civil.ts"

const CHUNK = 2 ** 20
const STEP = 2 ** 16
const PAGE_BITS = 10
const PAGE_SIZE = 2 ** PAGE_BITS
/** A chunk-aligned origin below every supported instant, so chunk indexes are non-negative. */
const BASE = -(2 ** 36)
/** Slot value of a chunk that holds transitions (details in `transitions`). */
const MIXED = Number.POSITIVE_INFINITY

interface ChunkTransitions {
  readonly times: ReadonlyArray<number>
  readonly offsets: ReadonlyArray<number>
}

/** Offset in seconds from an `Intl` longOffset name such as "GMT-07:52:58", "GMT+05:45" or "GMT". */
const parseLongOffset = (text: string): number => {
  const at = text.lastIndexOf("GMT")
  if (at < 0 || at + 3 >= text.length) return 0
  const sign = text.charCodeAt(at + 3) === 45 /* - */ || text.charCodeAt(at + 3) === 0x2212 /* − */ ? -1 : 1
  const hours = Number(text.slice(at + 4, at + 6))
  const minutes = Number(text.slice(at + 7, at + 9))
  const seconds = text.length >= at + 12 ? Number(text.slice(at + 10, at + 12)) : 0
  return sign * (hours * 3600 + minutes * 60 + seconds)
}

/** The offset table of one zone; build with {@link ZoneTable.make}, share freely (caches only grow). */
export class ZoneTable {
  private lo = 0
  private hi = 0
  private off = 0
  private readonly pages: Array<Float64Array | undefined> = []
  private readonly transitions = new Map<number, ChunkTransitions>()
  private readonly format: Intl.DateTimeFormat | undefined
  /** The canonical zone name, as `Intl` resolved it. */
  readonly name: string

  private constructor(name: string, fixed: boolean) {
    this.name = name
    this.format = fixed ? undefined : new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" })
  }

  /** A table for `name`, or undefined when `Intl` does not know the zone. */
  static make(name: string): ZoneTable | undefined {
    let canonical: string
    try {
      canonical = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone
    } catch {
      return undefined
    }
    const fixed = canonical === "UTC" || canonical === "Etc/UTC" || canonical === "Etc/GMT"
    return new ZoneTable(canonical, fixed)
  }

  /** UTC offset in seconds (local = utc + offset) at an instant given in epoch seconds. */
  offsetAt(t: number): number {
    if (t >= this.lo && t < this.hi) return this.off
    return this.lookup(t)
  }

  private intlOffset(t: number): number {
    return this.format === undefined ? 0 : parseLongOffset(this.format.format(t * 1000))
  }

  private lookup(t: number): number {
    const index = Math.floor((t - BASE) / CHUNK)
    const pageIndex = index >> PAGE_BITS
    let page = this.pages[pageIndex]
    if (page === undefined) {
      page = new Float64Array(PAGE_SIZE).fill(Number.NaN)
      this.pages[pageIndex] = page
    }
    const slot = index & (PAGE_SIZE - 1)
    let value = page[slot]!
    if (Number.isNaN(value)) {
      value = this.fill(index)
      page[slot] = value
    }
    const chunkStart = BASE + index * CHUNK
    if (value !== MIXED) {
      this.lo = chunkStart
      this.hi = chunkStart + CHUNK
      this.off = value
      return value
    }
    const { times, offsets } = this.transitions.get(index)!
    let i = times.length - 1
    while (times[i]! > t) i--
    this.lo = times[i]!
    this.hi = i + 1 < times.length ? times[i + 1]! : chunkStart + CHUNK
    this.off = offsets[i]!
    return this.off
  }

  /** Samples one chunk; returns its uniform offset, or MIXED after recording its transitions. */
  private fill(index: number): number {
    const start = BASE + index * CHUNK
    const end = start + CHUNK
    const times = [start]
    const offsets = [this.intlOffset(start)]
    let a = start
    let offsetA = offsets[0]!
    // Sample the chunk end too (it is the next chunk's start) so a change in the last step is seen;
    // a change exactly at `end` belongs to the next chunk.
    for (let b = start + STEP; b <= end; b += STEP) {
      const offsetB = this.intlOffset(b)
      while (offsetA !== offsetB) {
        // Smallest x in (a, b] whose offset differs from a's.
        let lo = a
        let hi = b
        while (hi - lo > 1) {
          const mid = lo + Math.floor((hi - lo) / 2)
          if (this.intlOffset(mid) === offsetA) lo = mid
          else hi = mid
        }
        const offsetHi = this.intlOffset(hi)
        if (hi < end) {
          times.push(hi)
          offsets.push(offsetHi)
        }
        a = hi
        offsetA = offsetHi
      }
      a = b
      offsetA = offsetB
    }
    if (times.length === 1) return offsets[0]!
    this.transitions.set(index, { times, offsets })
    return MIXED
  }
}

/** `±HH:MM` for a whole-minute offset in seconds, `Z` for zero. */
export const formatOffset = (offset: number): string => {
  if (offset === 0) return "Z"
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs - h * 3600) / 60)
  return `${offset < 0 ? "-" : "+"}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}`
}
