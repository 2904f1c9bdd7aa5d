/**
 * The COMPACT writer for whole rows of all ten Orders columns in table order: the hot path of every full export
 * ("Order Details"), which must render a 100 000-row page much faster than a client can `JSON.parse` it.
 * Every text from a small domain is pre-encoded once per calendar, joined with its neighbours where the joined
 * domain stays small (region+product, quantity+revenue, returned+order date), and copied a word at a time from a
 * `TextPool`; numbers are written four digits per store. Rows with a null cell (about 6 %) take a per-cell path.
 * The bytes are exactly those of the general per-column emitters (pinned by the render-pins test).
 */
import { type ByteWriter, putCents, putIntWords, putUintWords, quads } from "./ByteWriter.ts"
import { type Calendar, customers, type OrderIdBase, orderIdStep, products, type RowCursor, regions } from "./Orders.ts"
import { copySlack, makeTextPool, putText, viewOf } from "./TextPool.ts"

/** Writes rows [from, to) (row `order(i)` at position i, or row i without `order`), comma-separated. */
export type FullPageWriter = (
  out: ByteWriter,
  cursor: RowCursor,
  from: number,
  to: number,
  order: ((i: number) => number) | undefined
) => void

/** Discounts run 80..100 %: 21 values; quantities 1..50 (as `RowCursor` draws them). */
const discounts = 21
const maxQuantity = 50

/** Room checked once per row: far more than the longest row (about 200 bytes with Custom Calendar ends). */
const maxRowBytes = 512 + copySlack

/** Writes the Order ID of row `index` (its 16 or more digits); returns the next position. */
const putOrderId = (buf: Uint8Array, view: DataView, p: number, ids: OrderIdBase, index: number): number => {
  const low = ids.low + orderIdStep * index
  const carry = low < 1e9 ? 0 : Math.floor(low / 1e9)
  const rest = low - carry * 1e9
  const q = putUintWords(buf, view, p, ids.high + carry)
  // The low nine digits, zero-padded.
  const d = (rest / 1e8) | 0
  const r = rest - d * 1e8
  const h = (r / 1e4) | 0
  buf[q] = 48 + d
  view.setUint32(q + 1, quads[h]!, true)
  view.setUint32(q + 5, quads[r - h * 1e4]!, true)
  return q + 9
}

/** Builds the writer for one calendar (time zone and Custom Calendar mode). */
export const makeFullPageWriter = (calendar: Calendar): FullPageWriter => {
  const { days, dateCell, timeBase } = calendar
  const orderIdHigh = calendar.orderIds.high
  const orderIdLow = calendar.orderIds.low
  const json = (s: string) => JSON.stringify(s)
  const dayCell = (d: number) => dateCell(days.midnight[d]!, d + 1 < days.length ? days.midnight[d + 1]! : undefined)
  const dayCount = days.length
  const midnight = days.midnight
  const wrapped = calendar.customCalendar !== false
  // Joined texts of the null-free fast path, each with its trailing comma.
  const regionProduct = makeTextPool(regions.flatMap((r) => products.map(([p]) => `${json(r)},${json(p)},`)))
  const customer = makeTextPool(customers.map((c) => `${json(c)},`))
  const amounts: Array<string> = []
  for (const [, price] of products)
    for (let q = 1; q <= maxQuantity; q++)
      for (let k = 0; k < discounts; k++) amounts.push(`${q},${Math.round((q * price * (100 - k)) / 100) / 100},`)
  const quantityRevenue = makeTextPool(amounts)
  const returnedDay = makeTextPool(
    [false, true].flatMap((b) => Array.from({ length: dayCount }, (_, d) => `${b},${dayCell(d)},`))
  )
  // Single cells (with their trailing comma) for rows with nulls.
  const regionCell = makeTextPool(regions.map((r) => `${json(r)},`))
  const productCell = makeTextPool(products.map(([p]) => `${json(p)},`))
  const dayOnly = makeTextPool(Array.from({ length: dayCount }, (_, d) => `${dayCell(d)},`))
  // Fixed texts: 0 null, 1 false, 2 true, 3 the Custom Calendar opening.
  const fixed = makeTextPool(["null,", "false,", "true,", `{"v":{"s":`])
  const NULL = 0
  const OPEN = 3

  /** Shipped At and Ship Time, closing the row; returns the next position. */
  const putTail = (buf: Uint8Array, view: DataView, p: number, r: RowCursor, m: number): number => {
    let q = p
    if (m & 256) q = putText(view, q, fixed, NULL)
    else {
      if (wrapped) q = putText(view, q, fixed, OPEN)
      q = putIntWords(buf, view, q, midnight[r.shippedDay]! + r.shipSeconds)
      if (wrapped) {
        buf[q++] = 125
        buf[q++] = 125
      }
      buf[q++] = 44
    }
    if (m & 512) {
      view.setUint32(q, 0x6c6c756e, true) // "null"
      q += 4
    } else q = putIntWords(buf, view, q, timeBase + r.shipTime)
    buf[q] = 93
    return q + 1
  }

  /** A row with at least one null, cell by cell; returns the next position. */
  const nullableRow = (buf: Uint8Array, view: DataView, p: number, r: RowCursor): number => {
    const m = r.nullMask
    let q = p
    if (m & 1) q = putText(view, q, fixed, NULL)
    else {
      q = putOrderId(buf, view, q, calendar.orderIds, r.index)
      buf[q++] = 44
    }
    q = m & 2 ? putText(view, q, fixed, NULL) : putText(view, q, regionCell, r.region)
    q = m & 4 ? putText(view, q, fixed, NULL) : putText(view, q, productCell, r.product)
    q = m & 8 ? putText(view, q, fixed, NULL) : putText(view, q, customer, r.customer)
    if (m & 16) q = putText(view, q, fixed, NULL)
    else {
      q = putUintWords(buf, view, q, r.quantity)
      buf[q++] = 44
    }
    if (m & 32) q = putText(view, q, fixed, NULL)
    else {
      q = putCents(buf, q, r.revenueCents)
      buf[q++] = 44
    }
    q = putText(view, q, fixed, m & 64 ? NULL : r.returned ? 2 : 1)
    q = m & 128 ? putText(view, q, fixed, NULL) : putText(view, q, dayOnly, r.orderDay)
    return putTail(buf, view, q, r, m)
  }

  // The fast path reads the pools through locals: in this loop, calls and property loads cost as much as the copies.
  const rpView = regionProduct.view
  const rpStart = regionProduct.start
  const rpLength = regionProduct.length
  const cuView = customer.view
  const cuStart = customer.start
  const cuLength = customer.length
  const qrView = quantityRevenue.view
  const qrStart = quantityRevenue.start
  const qrLength = quantityRevenue.length
  const rdView = returnedDay.view
  const rdStart = returnedDay.start
  const rdLength = returnedDay.length
  const productCount = products.length

  return (out, r, from, to, order) => {
    out.ensure(maxRowBytes)
    let buf = out.buf
    let view = viewOf(buf)
    let limit = buf.length - maxRowBytes
    let p = out.pos
    for (let i = from; i < to; i++) {
      r.at(order === undefined ? i : order(i))
      if (p > limit) {
        out.pos = p
        out.ensure(maxRowBytes)
        buf = out.buf
        view = viewOf(buf)
        limit = buf.length - maxRowBytes
      }
      if (i > from) buf[p++] = 44
      buf[p++] = 91
      if (r.nullMask !== 0) {
        p = nullableRow(buf, view, p, r)
        continue
      }
      // Order ID: seven high digits (until row 2.7·10^13 by default), then nine zero-padded low digits.
      let low = orderIdLow + orderIdStep * r.index
      const carry = low < 1e9 ? 0 : Math.floor(low / 1e9)
      const high = orderIdHigh + carry
      low -= carry * 1e9
      if (high >= 1e6 && high < 1e7) {
        const h = (high / 1e4) | 0
        view.setUint32(p, quads[h]! >>> 8, true)
        view.setUint32(p + 3, quads[high - h * 1e4]!, true)
        p += 7
      } else p = putUintWords(buf, view, p, high)
      const d = (low / 1e8) | 0
      const rest = low - d * 1e8
      const q = (rest / 1e4) | 0
      buf[p] = 48 + d
      view.setUint32(p + 1, quads[q]!, true)
      view.setUint32(p + 5, quads[rest - q * 1e4]!, true)
      buf[p + 9] = 44
      p += 10
      // The joined texts, a word per step (see TextPool).
      let k = r.region * productCount + r.product
      let s = rpStart[k]!
      let n = rpLength[k]!
      for (let j = 0; j < n; j += 8) view.setFloat64(p + j, rpView.getFloat64(s + j, true), true)
      p += n
      k = r.customer
      s = cuStart[k]!
      n = cuLength[k]!
      for (let j = 0; j < n; j += 8) view.setFloat64(p + j, cuView.getFloat64(s + j, true), true)
      p += n
      k = (r.product * maxQuantity + r.quantity - 1) * discounts + 100 - r.discount
      s = qrStart[k]!
      n = qrLength[k]!
      for (let j = 0; j < n; j += 8) view.setFloat64(p + j, qrView.getFloat64(s + j, true), true)
      p += n
      k = (r.returned ? dayCount : 0) + r.orderDay
      s = rdStart[k]!
      n = rdLength[k]!
      for (let j = 0; j < n; j += 8) view.setFloat64(p + j, rdView.getFloat64(s + j, true), true)
      p += n
      // Shipped At: ten digits for instants from 2001-09-09 to 2038-01-19, else the general writer.
      if (wrapped) p = putText(view, p, fixed, OPEN)
      const shipped = midnight[r.shippedDay]! + r.shipSeconds
      if (shipped >= 1e9 && shipped < 2147483648) {
        const t = (shipped / 1e8) | 0
        const rest = shipped - t * 1e8
        const q = (rest / 1e4) | 0
        view.setUint32(p, quads[t]! >>> 16, true)
        view.setUint32(p + 2, quads[q]!, true)
        view.setUint32(p + 6, quads[rest - q * 1e4]!, true)
        p += 10
      } else p = putIntWords(buf, view, p, shipped)
      if (wrapped) {
        buf[p++] = 125
        buf[p++] = 125
      }
      buf[p++] = 44
      // Ship Time: five or six digits in most zones.
      const time = timeBase + r.shipTime
      if (time >= 10000 && time < 1000000) {
        const t = (time / 1e4) | 0
        if (t >= 10) {
          view.setUint32(p, quads[t]! >>> 16, true)
          p += 2
        } else buf[p++] = 48 + t
        view.setUint32(p, quads[time - t * 1e4]!, true)
        p += 4
      } else p = putIntWords(buf, view, p, time)
      buf[p++] = 93
    }
    out.pos = p
  }
}
