/**
 * Rendered page bytes are pinned by SHA-256: every (seed, row range, columns, time zone, calendar mode, format)
 * must keep producing exactly the same JSON text, whatever the renderer's internals. The hashes were computed
 * with the straightforward renderer before it was tuned for speed; any change to the data shows up here.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { Engine } from "../src/internal/Engine.ts"
import { type CustomCalendar, orderColumns } from "../src/internal/Orders.ts"
import { QueryError } from "../src/internal/Query.ts"
import { type DataFormat, renderRows } from "../src/internal/ResultSet.ts"

const all = orderColumns.map((c) => `[${c.name}]`).join(" ")
const search = "[Customer] [Order Date].weekly [Shipped At].monthly [Ship Time] [Revenue] [Returned] [Order ID]"
const buckets = "[Order ID] [Order Date].daily [Order Date].quarterly [Shipped At].yearly [Shipped At] [Quantity]"

interface Pin {
  readonly name: string
  readonly query: string
  readonly zone: string
  readonly calendar: CustomCalendar
  readonly format: DataFormat
  readonly rows: number
  readonly from: number
  readonly to: number
  readonly seed: number
  readonly sha256: string
}

const pin = (
  name: string,
  query: string,
  zone: string,
  calendar: CustomCalendar,
  format: DataFormat,
  range: readonly [rows: number, from: number, to: number],
  seed: number,
  sha256: string
): Pin => ({ name, query, zone, calendar, format, rows: range[0], from: range[1], to: range[2], seed, sha256 })

const la = "America/Los_Angeles"
const kolkata = "Asia/Kolkata" // east of UTC: TIME cells are negative instants

/** Large row indexes (above 20 M) carry into the Order ID's high digits. */
const pins: ReadonlyArray<Pin> = [
  pin(
    "all-compact-la",
    `${all} sort by [Order ID]`,
    la,
    false,
    "COMPACT",
    [10_000_000, 0, 4000],
    1,
    "f37db78d08674cb62c8764e0222971337d50ef98056d369e807d78ef04086dfa"
  ),
  pin(
    "all-compact-la-mid",
    `${all} sort by [Order ID]`,
    la,
    false,
    "COMPACT",
    [10_000_000, 5_250_000, 5_256_000],
    7,
    "f1a2300c1c763d86d4909a0098ed5d7cb29f282a469336779d8817210814201a"
  ),
  pin(
    "all-compact-carry",
    all,
    la,
    false,
    "COMPACT",
    [30_000_000, 20_141_000, 20_145_000],
    1,
    "ff895ab9e7c58b669fa943922d259b59d7404a4ebd7859904ea3e91bfe9bfb7b"
  ),
  pin(
    "all-full-la",
    `${all} sort by [Order ID]`,
    la,
    false,
    "FULL",
    [10_000_000, 100, 4100],
    1,
    "3647b0a53f4576578b4f21b007b43d722fbda9bf234dffd49e92ca322eedc988"
  ),
  pin(
    "all-compact-cc-la",
    all,
    la,
    true,
    "COMPACT",
    [1_000_000, 3000, 7000],
    2,
    "bcbc308bfa70612339f6768286f349295955c097e413c37a5937a42b3513e0bb"
  ),
  pin(
    "all-compact-cc-end-kolkata",
    all,
    kolkata,
    "with-end",
    "COMPACT",
    [1_000_000, 3000, 7000],
    2,
    "c14517681d3ddb215d06446b2c8f7c4624f63d267ddbaa0ce312fbb78453f78f"
  ),
  pin(
    "all-full-cc-end-kolkata",
    all,
    kolkata,
    "with-end",
    "FULL",
    [1_000_000, 3000, 7000],
    2,
    "f4da1976f1db33eeedfa91f1bab68ac1fb7ce1c0aaaec2b3547aa63e1f0e750e"
  ),
  pin(
    "all-compact-kolkata",
    all,
    kolkata,
    false,
    "COMPACT",
    [1_000_000, 0, 5000],
    3,
    "3c388854541908c677e940f2a6b00e2f348b379abfaf78e273b2e54bc006753f"
  ),
  pin(
    "all-desc-compact",
    `${all} sort by [Order ID] descending`,
    kolkata,
    true,
    "COMPACT",
    [200_000, 0, 3000],
    1,
    "429eab6011d09679da3c547a4849fdabe15ed46b85f3188920f9879c64e12a60"
  ),
  pin(
    "search-compact-la",
    search,
    la,
    false,
    "COMPACT",
    [1_000_000, 500, 5500],
    1,
    "1f389aa08a68a1246e1accf6a9551f4f2c1c6fc4cdac6fa6872af7082eb6b767"
  ),
  pin(
    "search-full-cc-la",
    search,
    la,
    true,
    "FULL",
    [1_000_000, 500, 5500],
    1,
    "24ae57de4093b4da9334a8d71ec96fdca098b2cb2e010650d7024f6103a50dbf"
  ),
  pin(
    "search-compact-cc-end-kolkata",
    search,
    kolkata,
    "with-end",
    "COMPACT",
    [1_000_000, 500, 5500],
    4,
    "84199406cf6358b42e567d3b59056785c01dee3181dd66a93e02a6538c2930d9"
  ),
  pin(
    "buckets-compact-cc-end-la",
    buckets,
    la,
    "with-end",
    "COMPACT",
    [1_000_000, 0, 5000],
    5,
    "23c69348059e1853593d1c2bfe6c86ac0f5dea42f9f4a7a2c13e4624539c7373"
  ),
  pin(
    "buckets-full-kolkata",
    buckets,
    kolkata,
    false,
    "FULL",
    [1_000_000, 0, 5000],
    5,
    "37bc68358074aa7e42ac4230cc8595557b08d995c5f6344f3f8135971ae7d394"
  ),
  pin(
    "sorted-by-revenue",
    `${search} sort by [Revenue] descending`,
    la,
    false,
    "COMPACT",
    [20_000, 0, 3000],
    1,
    "b597d8634f75f83dc48b0329d642ea0094eb9047e41551c1ecc3a3b2fafa5dd0"
  ),
  pin(
    "aggregated",
    "[Region] [Order Date].monthly [Revenue] [Quantity]",
    kolkata,
    "with-end",
    "FULL",
    [20_000, 0, 600],
    1,
    "0fcdbceabc2ff596759eb3c279723f6482dae5f5a04e0314f28437ae9b8108c6"
  ),
  pin(
    "aggregated-compact",
    "[Product] [Returned] average [Revenue] max [Shipped At]",
    la,
    true,
    "COMPACT",
    [20_000, 0, 60],
    1,
    "4bfa0c209f13c6388c1d68dad919284be0a54f0fa7462bde2b4cbc359663689b"
  )
]

const sha256 = (p: Pin): string => {
  const engine = new Engine(p.seed, p.rows, p.zone, p.calendar)
  const plan = engine.parse(p.query)
  if (plan instanceof QueryError) throw new Error(plan.message)
  const result = engine.result(plan)
  if (result instanceof QueryError) throw new Error(result.message)
  const to = Math.min(p.to, result.rowCount)
  const bytes = renderRows(result, p.from, to, p.format)
  // The page is well-formed JSON with one element per row (so the hash pins real rows, not an error text).
  expect(JSON.parse(`[${bytes.toString("utf8")}]`)).toHaveLength(to - p.from)
  return createHash("sha256").update(bytes).digest("hex")
}

describe("rendered pages", () => {
  for (const p of pins) {
    it(`page-bytes-unchanged-${p.name}`, () => {
      expect(sha256(p)).toBe(p.sha256)
    })
  }
})
