/**
 * The seeded retail "Orders" model: its columns, and every row as a pure function of (seed, row index).
 * Rows are never stored: a `RowCursor` decodes one row at a time into plain fields, and per-column emitters turn
 * those fields into JSON text. Text for small domains (regions, products, customers, days) is escaped once.
 */
import { type ByteWriter, utf8 } from "./ByteWriter.ts"
import { hash3, mix32, stableGuid } from "./Hash.ts"
import { type DayTable, makeDayTable, makeLocalMidnight, makeWallInstant } from "./Zone.ts"

/** ThoughtSpot column data types used by the model. */
export type DataType = "INT64" | "VARCHAR" | "DOUBLE" | "BOOL" | "DATE" | "DATE_TIME" | "TIME"

/** One column of the Orders model. */
export interface ModelColumn {
  readonly index: number
  readonly name: string
  readonly id: string
  readonly dataType: DataType
  readonly kind: "ATTRIBUTE" | "MEASURE"
  readonly description: string
}

const columnDefs: ReadonlyArray<readonly [string, DataType, "ATTRIBUTE" | "MEASURE", string]> = [
  [
    "Order ID",
    "INT64",
    "ATTRIBUTE",
    "Unique 16-digit order number; on the default data most exceed 2^53 and must be kept exact (--order-ids safe keeps them within it)."
  ],
  ["Region", "VARCHAR", "ATTRIBUTE", "Sales region."],
  ["Product", "VARCHAR", "ATTRIBUTE", "Product name."],
  ["Customer", "VARCHAR", "ATTRIBUTE", "Customer name (Unicode, commas, quotes, newlines)."],
  ["Quantity", "INT64", "MEASURE", "Units ordered."],
  ["Revenue", "DOUBLE", "MEASURE", "Order revenue in USD."],
  ["Returned", "BOOL", "ATTRIBUTE", "Whether the order was returned."],
  ["Order Date", "DATE", "ATTRIBUTE", "Day the order was placed."],
  ["Shipped At", "DATE_TIME", "ATTRIBUTE", "Instant the order shipped."],
  ["Ship Time", "TIME", "ATTRIBUTE", "Time of day of the shipping cut-off."]
]

/** The model's columns, in table order. */
export const orderColumns: ReadonlyArray<ModelColumn> = columnDefs.map(
  ([name, dataType, kind, description], index) => ({
    index,
    name,
    id: stableGuid(`column:Orders:${name}`),
    dataType,
    kind,
    description
  })
)

/** Column indexes, named. */
export const Col = {
  OrderId: 0,
  Region: 1,
  Product: 2,
  Customer: 3,
  Quantity: 4,
  Revenue: 5,
  Returned: 6,
  OrderDate: 7,
  ShippedAt: 8,
  ShipTime: 9
} as const

/** Region values. */
export const regions: ReadonlyArray<string> = ["West", "East", "Central", "South", "North", "Île-de-France"]

/** Product names and unit prices in cents. */
export const products: ReadonlyArray<readonly [string, number]> = [
  ["Widget", 1999],
  ['Widget, "Deluxe"', 4999],
  ["Gadget", 2450],
  ["Gizmo 3000", 12999],
  ["Sprocket", 399],
  ["Flux Capacitor", 88800],
  ["Café Table", 15900],
  ["Tea Set 茶具", 3550],
  ["Rope, 10 m", 1275],
  ["Lamp\nShade", 2999],
  ["Bolt (M8)", 25],
  ["Nut 'Hex'", 15],
  ["Drill", 8999],
  ["Saw", 2199],
  ["Glue ½ kg", 650],
  ["Ladder", 11900],
  ["Paint — Blue", 2300],
  ["Brush", 499],
  ["Tape\\Roll", 350],
  ["Gloves 🧤", 899]
]

/** Unit prices in cents, by product index (a typed array: read once per generated row). */
const prices = Int32Array.from(products, ([, price]) => price)

const firstNames = [
  "Ada",
  "Zoë",
  "José",
  "François",
  "李",
  "Μαρία",
  "Ørjan",
  "Søren",
  "Łukasz",
  "Nguyễn",
  "Siobhán",
  "Björk",
  "Chloé",
  "Ahmed",
  "Priya",
  "Kenji",
  "Olga",
  "Mateo",
  "Amélie",
  "Tomás",
  "Ines",
  "Yusuf",
  "Hana",
  "Grace",
  "Émile",
  "Lars",
  "Noa",
  "Rafael",
  "Aiko",
  "Ōta"
]
const lastNames = [
  "O'Brien",
  "Smith, Jr.",
  '"Ace" Corp',
  "Müller",
  "Line\nBreak",
  "Tab\tStop",
  "García",
  "Nakamura",
  "雷",
  "Dupont",
  "Ivanova",
  "Kowalski",
  "Back\\Slash",
  "Østergaard",
  "Papadopoulos",
  "Lee",
  "Andersson",
  "da Silva",
  "😀 Smiley",
  "Khan",
  "Rossi",
  "Schröder",
  "Wong",
  "Brown",
  "Jones",
  "Nowak",
  "Haddad",
  "Costa",
  "Kim",
  "Taylor"
]

/** Every customer name (first × last), by customer index. */
export const customers: ReadonlyArray<string> = firstNames.flatMap((f) => lastNames.map((l) => `${f} ${l}`))

/** The civil range of order dates: 2020-01-01 .. 2025-12-31; shipping happens up to 5 days later. */
const tableFirstDay = { year: 2019, month: 12, day: 30 } // a Monday, so weekly buckets of 2020-01-01 are in range
const firstOrderDayIndex = 2
const orderDayCount = 2192
const tableLength = firstOrderDayIndex + orderDayCount + 7

/** Shipping happens at most this many seconds into the local day, so it never crosses a DST-shortened day. */
const shipSecondsRange = 82_800
/**
 * How large Order IDs are: `"beyond-2^53"` (the default) starts at 9007199254740000, so most exceed
 * `Number.MAX_SAFE_INTEGER` and exercise exactness; `"safe"` starts at 1000000000000000 instead, the same
 * digit count (16 up to row 10^9 at 37 per row), so pages are byte for byte the same size but every Order ID
 * is an exact double (for benchmarks comparing a reader with plain `JSON.parse`).
 */
export type OrderIds = "beyond-2^53" | "safe"

/**
 * Where an Order ID range starts: the first ID as `high`·10^9 + `low` (split so every part is a safe
 * int32-sized value); row i's ID is that + `orderIdStep`·i.
 */
export interface OrderIdBase {
  readonly high: number
  readonly low: number
  /** The first Order ID, exactly. */
  readonly first: bigint
}

const orderIdBases: Readonly<Record<OrderIds, OrderIdBase>> = {
  "beyond-2^53": { high: 9_007_199, low: 254_740_000, first: 9_007_199_254_740_000n },
  safe: { high: 1_000_000, low: 0, first: 1_000_000_000_000_000n }
}

/** Order IDs grow by this much per row. */
export const orderIdStep = 37

/**
 * One decoded row. Fields are raw codes; `nullMask` bit c set means column c is null.
 * Reused across rows (no allocation per row).
 */
export class RowCursor {
  index = 0
  nullMask = 0
  region = 0
  product = 0
  customer = 0
  quantity = 0
  /** Percent of the list price paid (80..100). */
  discount = 0
  returned = false
  orderDay = 0
  shippedDay = 0
  shipSeconds = 0
  shipTime = 0
  readonly seed: number
  /** `hash3`'s inner mix for rows below 2^32 (the same for all of them), computed once. */
  readonly #lowMix: number
  constructor(seed: number) {
    this.seed = seed
    this.#lowMix = mix32(seed ^ Math.imul(1, 0x9e3779b9))
  }

  /** Revenue in cents, computed on demand (the whole-row writer finds its text by quantity and discount). */
  get revenueCents(): number {
    return Math.round((this.quantity * prices[this.product]! * this.discount) / 100)
  }

  /** Decodes row `i` into this cursor. */
  at(i: number): this {
    // Equal to hash3(seed, i, 0), with the inner mix hoisted for the usual row indexes.
    const h0 = i < 4294967296 ? mix32((i | 0) ^ this.#lowMix) : hash3(this.seed, i, 0)
    const h1 = mix32(h0 ^ 0x27d4eb2f)
    const h2 = mix32(h1 ^ 0x165667b1)
    const h3 = mix32(h2 ^ 0x61c88647)
    this.index = i
    // One row in 16 is a candidate for nulls; then each column is null with probability 1/4 (~1.6 % overall).
    let mask = 0
    if ((h0 & 15) === 0) {
      // Column c is null when bits 3c and 3c+1 of h3 are both 0: mark bit 3c, then gather those bits to bit c.
      const z = ~(h3 | (h3 >>> 1)) & 0x09249249
      mask =
        (z & 1) |
        ((z >>> 2) & 2) |
        ((z >>> 4) & 4) |
        ((z >>> 6) & 8) |
        ((z >>> 8) & 16) |
        ((z >>> 10) & 32) |
        ((z >>> 12) & 64) |
        ((z >>> 14) & 128) |
        ((z >>> 16) & 256) |
        ((z >>> 18) & 512)
    }
    this.nullMask = mask
    this.region = h1 % 6
    this.product = (h1 >>> 3) % 20
    this.customer = h2 % 900
    const quantity = 1 + ((h2 >>> 10) % 50)
    this.quantity = quantity
    const discount = 100 - ((h2 >>> 16) % 21) // percent
    this.discount = discount
    this.returned = (h0 >>> 4) % 17 === 0
    this.orderDay = firstOrderDayIndex + ((h0 >>> 8) % orderDayCount)
    this.shippedDay = this.orderDay + 1 + (h1 % 5)
    this.shipSeconds = (h3 >>> 2) % shipSecondsRange
    this.shipTime = mix32(h3) % 86_400
    return this
  }
}

/** Digits of the Order ID of row i: base + 37·i (exact; by default most are above 2^53). */
export const orderIdText = (i: number, ids: OrderIds = "beyond-2^53"): string => {
  const { high, low: base } = orderIdBases[ids]
  const low = base + orderIdStep * i
  if (low < 1e9) return high + String(low).padStart(9, "0")
  const carry = Math.floor(low / 1e9)
  return String(high + carry) + String(low - carry * 1e9).padStart(9, "0")
}

/** The Order ID of row i as a bigint (for tests and aggregation output). */
export const orderIdBigInt = (i: number, ids: OrderIds = "beyond-2^53"): bigint =>
  orderIdBases[ids].first + BigInt(orderIdStep) * BigInt(i)

/** How date cells are written: plain epoch seconds, or Custom Calendar objects (optionally with the end). */
export type CustomCalendar = false | true | "with-end"

/**
 * Time-zone and calendar dependent facts of a sandbox instance, computed once, with the instance's Order ID
 * range (every cell writer takes this one object).
 */
export interface Calendar {
  readonly timezone: string
  readonly days: DayTable
  readonly customCalendar: CustomCalendar
  /** Epoch seconds of local midnight on 1970-01-01 (TIME cells are instants on that day). */
  readonly timeBase: number
  /** The instant (epoch seconds) of a wall time in the zone, given as epoch ms of that wall time read as UTC. */
  readonly wallInstant: (wallAsUtcMs: number) => number
  /** A date cell as JSON text: epoch seconds, or `{"v":{"s":…}}` / `{"v":{"s":…,"e":…}}`. */
  readonly dateCell: (start: number, end: number | undefined) => string
  /** Where Order IDs start. */
  readonly orderIds: OrderIdBase
}

const calendars = new Map<string, Calendar>()

/** The calendar for a zone and Custom Calendar mode (built once per process: `Intl` lookups are slow). */
export const makeCalendar = (
  timezone: string,
  customCalendar: CustomCalendar,
  orderIds: OrderIds = "beyond-2^53"
): Calendar => {
  const key = `${timezone}|${customCalendar}|${orderIds}`
  let calendar = calendars.get(key)
  if (calendar === undefined) {
    calendar = buildCalendar(timezone, customCalendar, orderIds)
    calendars.set(key, calendar)
  }
  return calendar
}

const buildCalendar = (timezone: string, customCalendar: CustomCalendar, orderIds: OrderIds): Calendar => {
  const dateCell =
    customCalendar === false
      ? (s: number) => String(s)
      : customCalendar === "with-end"
        ? (s: number, e: number | undefined) => (e === undefined ? `{"v":{"s":${s}}}` : `{"v":{"s":${s},"e":${e}}}`)
        : (s: number) => `{"v":{"s":${s}}}`
  return {
    timezone,
    days: makeDayTable(timezone, tableFirstDay, tableLength),
    customCalendar,
    timeBase: makeLocalMidnight(timezone)(1970, 1, 1),
    wallInstant: makeWallInstant(timezone),
    dateCell,
    orderIds: orderIdBases[orderIds]
  }
}

/** Writes one cell of the current cursor row as JSON text (the caller handles nulls via `nullMask`). */
export type CellEmitter = (out: ByteWriter, row: RowCursor) => void

/** Writes the Order ID of row i (exact digits) of the range starting at `ids`. */
export const writeOrderId = (out: ByteWriter, ids: OrderIdBase, i: number): void => {
  const low = ids.low + orderIdStep * i
  const carry = Math.floor(low / 1e9)
  out.int(ids.high + carry)
  out.padded(low - carry * 1e9, 9)
}

/** Per-column emitters for un-bucketed cells, with small domains pre-encoded. */
export const makeEmitters = (calendar: Calendar): ReadonlyArray<CellEmitter> => {
  const regionBytes = regions.map((r) => utf8(JSON.stringify(r)))
  const productBytes = products.map(([p]) => utf8(JSON.stringify(p)))
  const customerBytes = customers.map((c) => utf8(JSON.stringify(c)))
  const { days, dateCell, timeBase, orderIds } = calendar
  const dayBytes: Array<Uint8Array> = []
  for (let d = 0; d < days.length; d++) {
    dayBytes.push(utf8(dateCell(days.midnight[d]!, d + 1 < days.length ? days.midnight[d + 1]! : undefined)))
  }
  const midnight = days.midnight
  const trueBytes = utf8("true")
  const falseBytes = utf8("false")
  const plainDates = calendar.customCalendar === false
  return [
    (w, r) => writeOrderId(w, orderIds, r.index),
    (w, r) => w.bytes(regionBytes[r.region]!),
    (w, r) => w.bytes(productBytes[r.product]!),
    (w, r) => w.bytes(customerBytes[r.customer]!),
    (w, r) => w.int(r.quantity),
    (w, r) => w.cents(r.revenueCents),
    (w, r) => w.bytes(r.returned ? trueBytes : falseBytes),
    (w, r) => w.bytes(dayBytes[r.orderDay]!),
    plainDates
      ? (w, r) => w.int(midnight[r.shippedDay]! + r.shipSeconds)
      : (w, r) => w.text(dateCell(midnight[r.shippedDay]! + r.shipSeconds, undefined)),
    (w, r) => w.int(timeBase + r.shipTime)
  ]
}
