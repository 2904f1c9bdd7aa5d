/**
 * Query results over the Orders model, written straight to JSON bytes.
 * - Detail plans (one row per order) are never materialized: rows are decoded from (seed, index) while a page is
 *   written, in Order ID order (or its reverse). Sorting detail rows by another column needs a permutation, so
 *   it is allowed only up to `maxSortedDetailRows`.
 * - Aggregated plans scan the table once, keep only the groups (small: regions × products × buckets …), and are
 *   cached by the engine. A 10 M-row scan takes a second or two, once.
 */
import { ByteWriter, utf8 } from "./ByteWriter.ts"
import { makeFullPageWriter } from "./FullRows.ts"
import {
  type Calendar,
  type CellEmitter,
  Col,
  customers,
  makeEmitters,
  orderColumns,
  orderIdStep,
  products,
  RowCursor,
  regions,
  writeOrderId
} from "./Orders.ts"
import { type Filter, QueryError, type QueryPlan, type Selection } from "./Query.ts"
import { type Bucket, civilAsUtc } from "./Zone.ts"

/** ThoughtSpot's two data formats: rows as arrays (COMPACT) or as objects without null keys (FULL). */
export type DataFormat = "COMPACT" | "FULL"

/** Detail rows beyond this count cannot be sorted by a column other than Order ID. */
export const maxSortedDetailRows = 1_000_000

/** A query result that can write any row range as JSON text. */
export interface ResultSet {
  readonly columnNames: ReadonlyArray<string>
  readonly rowCount: number
  /** Writes rows [from, to) as JSON array elements separated by commas (no enclosing brackets). */
  readonly writeRows: (out: ByteWriter, from: number, to: number, format: DataFormat) => void
}

const NULL = utf8("null")

/** Null groups sort after every value. */
const nullRank = Number.MAX_SAFE_INTEGER

/** Writes rows whose cells come from `cell(row, column)`; shared by detail and aggregated results. */
const writeGeneric = (
  out: ByteWriter,
  from: number,
  to: number,
  format: DataFormat,
  keys: ReadonlyArray<Uint8Array>,
  prepare: (row: number) => number,
  cell: (column: number) => void
): void => {
  const n = keys.length
  for (let i = from; i < to; i++) {
    if (i > from) out.byte(44)
    const nullMask = prepare(i)
    if (format === "COMPACT") {
      out.byte(91)
      for (let c = 0; c < n; c++) {
        if (c > 0) out.byte(44)
        if ((nullMask >>> c) & 1) out.bytes(NULL)
        else cell(c)
      }
      out.byte(93)
    } else {
      out.byte(123)
      let first = true
      for (let c = 0; c < n; c++) {
        if ((nullMask >>> c) & 1) continue // FULL omits null keys
        if (!first) out.byte(44)
        first = false
        out.bytes(keys[c]!)
        cell(c)
      }
      out.byte(125)
    }
  }
}

const fullKeys = (names: ReadonlyArray<string>) => names.map((n) => utf8(`${JSON.stringify(n)}:`))

/** Pre-encoded date cells of each day's bucket start (with the bucket's exclusive end). */
const bucketCells = (calendar: Calendar, bucket: Bucket): Array<Uint8Array> => {
  const { days, dateCell } = calendar
  const out: Array<Uint8Array> = []
  for (let d = 0; d < days.length; d++) {
    const start = days.bucketStart[bucket][d]!
    out.push(utf8(dateCell(start >= 0 ? days.midnight[start]! : 0, days.bucketEndSeconds[bucket][d]!)))
  }
  return out
}

/**
 * The numeric value of a model column in the cursor row: what aggregates consume, filters compare, and (strings
 * aside) sorts order by. Strings are their index in their domain.
 */
const columnValue = (column: number, calendar: Calendar): ((r: RowCursor) => number) => {
  const midnight = calendar.days.midnight
  const values: Array<(r: RowCursor) => number> = [
    (r) => r.index,
    (r) => r.region,
    (r) => r.product,
    (r) => r.customer,
    (r) => r.quantity,
    (r) => r.revenueCents,
    (r) => (r.returned ? 1 : 0),
    (r) => r.orderDay,
    (r) => midnight[r.shippedDay]! + r.shipSeconds,
    (r) => r.shipTime
  ]
  return values[column]!
}

/** The numeric sort key of a model column in the cursor row: its value, with strings by their rank. */
const sortKeyOf = (column: number, calendar: Calendar): ((r: RowCursor) => number) => {
  const rank = (values: ReadonlyArray<string>) => {
    const sorted = [...values].sort()
    return values.map((v) => sorted.indexOf(v))
  }
  const ranks: Partial<Record<number, ReadonlyArray<number>>> = {
    [Col.Region]: rank(regions),
    [Col.Product]: rank(products.map(([p]) => p)),
    [Col.Customer]: rank(customers)
  }
  const value = columnValue(column, calendar)
  const ranked = ranks[column]
  return ranked === undefined ? value : (r) => ranked[value(r)]!
}

/**
 * A decimal literal in cents, exactly: `Number("0.29") * 100` is 28.999…, which no row's 29 cents equals. With
 * more than two decimals the value lies strictly between two whole cents; half a cent stands for it, which
 * compares with every whole number of cents as the literal does.
 */
const centsOf = (text: string): number | undefined => {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (m === null) return undefined
  const fraction = m[3] ?? ""
  const whole = Number(m[2]!) * 100 + Number(fraction.slice(0, 2).padEnd(2, "0"))
  const rest = /[1-9]/.test(fraction.slice(2)) ? 0.5 : 0
  return (m[1] === "-" ? -1 : 1) * (whole + rest)
}

/**
 * A filter's test of the cursor row. The sandbox filters [Order ID] (whole numbers), [Order Date] (`'YYYY-MM-DD'`), [Shipped At]
 * (`'YYYY-MM-DD HH:mm:ss'`, `'YYYY-MM-DD HH:mm'` or a date: a wall time in the cluster zone, resolved as
 * `makeWallInstant` says), [Quantity] and [Revenue] (numbers). A date or time that does not exist on the
 * calendar (February 30, 24:00) is refused, never rolled over.
 */
const filterTest = (filter: Filter, calendar: Calendar): ((r: RowCursor) => boolean) | QueryError => {
  const col = filter.column.index
  const { days } = calendar
  const first = civilAsUtc(days.firstDay.year, days.firstDay.month, days.firstDay.day)!
  const dateTime = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/
  let target: number | undefined
  let expected: string
  const value = filter.value.trim()
  switch (col) {
    case Col.OrderDate: {
      expected = "a calendar date 'YYYY-MM-DD'"
      const m = dateTime.exec(value)
      const wall = m === null || m[4] !== undefined ? undefined : civilAsUtc(+m[1]!, +m[2]!, +m[3]!)
      if (wall !== undefined) target = (wall - first) / 86_400_000
      break
    }
    case Col.ShippedAt: {
      expected = "a wall time in the cluster zone 'YYYY-MM-DD HH:mm:ss', 'YYYY-MM-DD HH:mm' or 'YYYY-MM-DD'"
      const m = dateTime.exec(value)
      const wall = m === null ? undefined : civilAsUtc(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
      if (wall !== undefined) {
        // Outside the day table (which holds every row) only the side matters; inside it, the exact instant.
        const day = Math.floor((wall - first) / 86_400_000)
        target =
          day < 0
            ? Number.NEGATIVE_INFINITY
            : day >= days.length
              ? Number.POSITIVE_INFINITY
              : calendar.wallInstant(wall)
      }
      break
    }
    case Col.OrderId: {
      // Row i's Order ID is first + 37·i: the ID compares as the row index would with (ID − first) / 37, worked out
      // in whole numbers, so IDs beyond 2^53 compare exactly.
      expected = "a whole number"
      if (/^-?\d+$/.test(value)) {
        const steps = BigInt(value) - calendar.orderIds.first
        const whole = steps / BigInt(orderIdStep)
        const exact = whole * BigInt(orderIdStep) === steps
        // Beyond any row either way, only the side matters.
        const bound = BigInt(Number.MAX_SAFE_INTEGER)
        target =
          whole > bound
            ? Number.POSITIVE_INFINITY
            : whole < -bound
              ? Number.NEGATIVE_INFINITY
              : exact
                ? Number(whole)
                : Number(whole) + (steps < 0n ? -0.5 : 0.5)
      }
      break
    }
    case Col.Quantity:
      expected = "a number"
      target = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined
      break
    case Col.Revenue:
      expected = "a number"
      target = centsOf(value)
      break
    default:
      return new QueryError(
        `the sandbox filters [Order ID], [Order Date], [Shipped At], [Quantity] and [Revenue] only, not [${filter.column.name}]`
      )
  }
  if (target === undefined) {
    return new QueryError(
      `'${filter.value}' is not a value of [${filter.column.name}] the sandbox can compare; give ${expected}`
    )
  }
  const t = target
  const compare: Record<string, (a: number) => boolean> = {
    "=": (a) => a === t,
    "!=": (a) => a !== t,
    "<": (a) => a < t,
    "<=": (a) => a <= t,
    ">": (a) => a > t,
    ">=": (a) => a >= t
  }
  const holds = compare[filter.op]!
  const key = columnValue(col, calendar)
  return (r) => ((r.nullMask >>> col) & 1) === 0 && holds(key(r))
}

/** A detail (row-level) result over `tableRows` generated rows. */
export const detailResult = (
  plan: QueryPlan,
  seed: number,
  tableRows: number,
  calendar: Calendar
): ResultSet | QueryError => {
  const base = makeEmitters(calendar)
  const emitters: Array<CellEmitter> = plan.selections.map((s) => {
    if (s.bucket === undefined) return base[s.column.index]!
    const cells = bucketCells(calendar, s.bucket)
    return s.column.index === Col.OrderDate
      ? (w, r) => w.bytes(cells[r.orderDay]!)
      : (w, r) => w.bytes(cells[r.shippedDay]!)
  })
  const columns = plan.selections.map((s) => s.column.index)
  // Filters: the matching rows in table order, found by one scan (as a sort's permutation is).
  let matching: Uint32Array | undefined
  if (plan.filters.length > 0) {
    if (tableRows > maxSortedDetailRows) {
      return new QueryError(
        `the sandbox filters row-level results only up to ${maxSortedDetailRows} rows; use fewer rows`
      )
    }
    const tests: Array<(r: RowCursor) => boolean> = []
    for (const filter of plan.filters) {
      const test = filterTest(filter, calendar)
      if (test instanceof QueryError) return test
      tests.push(test)
    }
    const scan = new RowCursor(seed)
    const kept: Array<number> = []
    for (let i = 0; i < tableRows; i++) {
      scan.at(i)
      if (tests.every((test) => test(scan))) kept.push(i)
    }
    matching = Uint32Array.from(kept)
  }
  const available = matching === undefined ? tableRows : matching.length
  const rowCount = plan.limit === undefined ? available : Math.min(plan.limit, available)
  const natural = (i: number) => i
  let order: (i: number) => number = matching === undefined ? natural : (i) => matching[i]!
  const sort = plan.sort
  if (sort !== undefined) {
    const column = plan.selections[sort.selection]!.column.index
    if (column === Col.OrderId) {
      if (sort.descending)
        order = matching === undefined ? (i) => tableRows - 1 - i : (i) => matching[available - 1 - i]!
    } else if (matching === undefined && tableRows > maxSortedDetailRows) {
      return new QueryError(
        `the sandbox sorts row-level results by a column other than [Order ID] only up to ${maxSortedDetailRows} rows; ` +
          "sort by [Order ID] or use fewer rows"
      )
    } else {
      // The rows there are (a filter's, at most `maxSortedDetailRows` too), ordered by the column; nulls lowest.
      const rows = matching ?? Uint32Array.from({ length: tableRows }, (_, i) => i)
      const keyOf = sortKeyOf(column, calendar)
      const cursor = new RowCursor(seed)
      const keys = new Float64Array(tableRows)
      for (const i of rows) {
        cursor.at(i)
        keys[i] = (cursor.nullMask >>> column) & 1 ? Number.NEGATIVE_INFINITY : keyOf(cursor)
      }
      const dir = sort.descending ? -1 : 1
      const perm = Uint32Array.from(rows).sort((a, b) => dir * (keys[a]! - keys[b]! || 0) || a - b)
      order = (i) => perm[i]!
    }
  }
  const keys = fullKeys(plan.selections.map((s) => s.name))
  const cursor = new RowCursor(seed)
  const n = columns.length
  // All ten columns un-bucketed in table order: the specialized row writer applies.
  const fullRow =
    n === orderColumns.length && plan.selections.every((s, i) => s.column.index === i && s.bucket === undefined)
      ? makeFullPageWriter(calendar)
      : undefined
  return {
    columnNames: plan.selections.map((s) => s.name),
    rowCount,
    writeRows: (out, from, to, format) => {
      if (format === "COMPACT" && fullRow !== undefined) {
        fullRow(out, cursor, from, to, order === natural ? undefined : order)
        return
      }
      if (format === "COMPACT") {
        // The hot path of every export: kept free of per-cell closures other than the emitters.
        for (let i = from; i < to; i++) {
          if (i > from) out.byte(44)
          cursor.at(order(i))
          const nullMask = cursor.nullMask
          out.byte(91)
          for (let c = 0; c < n; c++) {
            if (c > 0) out.byte(44)
            if ((nullMask >>> columns[c]!) & 1) out.bytes(NULL)
            else emitters[c]!(out, cursor)
          }
          out.byte(93)
        }
        return
      }
      writeGeneric(
        out,
        from,
        to,
        format,
        keys,
        (i) => {
          cursor.at(order(i))
          let mask = 0
          for (let c = 0; c < n; c++) if ((cursor.nullMask >>> columns[c]!) & 1) mask |= 1 << c
          return mask
        },
        (c) => emitters[c]!(out, cursor)
      )
    }
  }
}

/** How a column contributes to a group: its code (0 = null) and how many codes it has. */
interface GroupCoder {
  readonly size: number
  readonly code: (r: RowCursor) => number
  readonly write: (out: ByteWriter, code: number) => void
  readonly rank: (code: number) => number
}

const groupCoder = (s: Selection, calendar: Calendar): GroupCoder | QueryError => {
  const col = s.column.index
  const strings = (values: ReadonlyArray<string>, pick: (r: RowCursor) => number): GroupCoder => {
    const bytes = values.map((v) => utf8(JSON.stringify(v)))
    const sorted = [...values].sort()
    const ranks = values.map((v) => sorted.indexOf(v))
    return {
      size: values.length + 1,
      code: (r) => ((r.nullMask >>> col) & 1 ? 0 : pick(r) + 1),
      write: (out, code) => out.bytes(bytes[code - 1]!),
      rank: (code) => (code === 0 ? nullRank : ranks[code - 1]!)
    }
  }
  const { days } = calendar
  switch (col) {
    case Col.Region:
      return strings(regions, (r) => r.region)
    case Col.Product:
      return strings(
        products.map(([p]) => p),
        (r) => r.product
      )
    case Col.Customer:
      return strings(customers, (r) => r.customer)
    case Col.Returned:
      return {
        size: 3,
        code: (r) => ((r.nullMask >>> col) & 1 ? 0 : r.returned ? 2 : 1),
        write: (out, code) => out.text(code === 2 ? "true" : "false"),
        rank: (code) => (code === 0 ? nullRank : code)
      }
    case Col.OrderDate:
    case Col.ShippedAt: {
      const bucket = s.bucket ?? "monthly"
      const cells = bucketCells(calendar, bucket)
      const starts = days.bucketStart[bucket]
      const dayOf = col === Col.OrderDate ? (r: RowCursor) => r.orderDay : (r: RowCursor) => r.shippedDay
      return {
        size: days.length + 1,
        code: (r) => ((r.nullMask >>> col) & 1 ? 0 : starts[dayOf(r)]! + 1),
        write: (out, code) => out.bytes(cells[code - 1]!),
        rank: (code) => (code === 0 ? nullRank : code)
      }
    }
    case Col.ShipTime:
      return {
        size: 86_401,
        code: (r) => ((r.nullMask >>> col) & 1 ? 0 : r.shipTime + 1),
        write: (out, code) => out.int(calendar.timeBase + code - 1),
        rank: (code) => (code === 0 ? nullRank : code)
      }
    default:
      return new QueryError(`[${s.column.name}] cannot be a grouping column`)
  }
}

/** Writes an aggregate's value (min/max keep the column's own type; averages are doubles). */
const aggregateWriter = (s: Selection, calendar: Calendar): ((out: ByteWriter, v: number) => void) | QueryError => {
  const col = s.column.index
  const agg = s.aggregate!
  if (agg === "COUNT" || agg === "UNIQUE_COUNT") return (out, v) => out.int(v)
  const measure = s.column.kind === "MEASURE"
  if (agg === "SUM" || agg === "AVERAGE") {
    if (!measure)
      return new QueryError(`${agg.toLowerCase()} needs a measure ([Quantity] or [Revenue]), not [${s.column.name}]`)
    if (agg === "AVERAGE") return (out, v) => out.text(String(col === Col.Revenue ? v / 100 : v))
    return col === Col.Revenue ? (out, v) => out.cents(v) : (out, v) => out.int(v)
  }
  const { days, dateCell, timeBase } = calendar
  switch (col) {
    case Col.Quantity:
      return (out, v) => out.int(v)
    case Col.Revenue:
      return (out, v) => out.cents(v)
    case Col.OrderId:
      return (out, v) => writeOrderId(out, calendar.orderIds, v)
    case Col.OrderDate:
      return (out, v) => out.text(dateCell(days.midnight[v]!, days.midnight[v + 1]))
    case Col.ShippedAt:
      return (out, v) => out.text(dateCell(v, undefined))
    case Col.ShipTime:
      return (out, v) => out.int(timeBase + v)
    default:
      return new QueryError(`${agg.toLowerCase()} is not supported on [${s.column.name}] in the sandbox`)
  }
}

/** Groups all `tableRows` rows by the plan's attributes and aggregates its measures; the result is materialized. */
export const aggregatedResult = (
  plan: QueryPlan,
  seed: number,
  tableRows: number,
  calendar: Calendar
): ResultSet | QueryError => {
  const groupSel: Array<number> = []
  const aggSel: Array<number> = []
  plan.selections.forEach((s, i) => {
    ;(s.aggregate === undefined ? groupSel : aggSel).push(i)
  })
  const coders: Array<GroupCoder> = []
  for (const i of groupSel) {
    const c = groupCoder(plan.selections[i]!, calendar)
    if (c instanceof QueryError) return c
    coders.push(c)
  }
  const writers: Array<(out: ByteWriter, v: number) => void> = []
  for (const i of aggSel) {
    const w = aggregateWriter(plan.selections[i]!, calendar)
    if (w instanceof QueryError) return w
    writers.push(w)
  }
  const aggs = aggSel.map((i) => plan.selections[i]!)
  const reads = aggs.map((s) => columnValue(s.column.index, calendar))
  // Filters keep rows before they are grouped.
  const tests: Array<(r: RowCursor) => boolean> = []
  for (const filter of plan.filters) {
    const test = filterTest(filter, calendar)
    if (test instanceof QueryError) return test
    tests.push(test)
  }
  // Group keys: mixed-radix codes (every domain is small, the product stays below 2^53).
  const groups = new Map<number, number>()
  const groupCodes: Array<Array<number>> = []
  const sums: Array<Array<number>> = aggs.map(() => [])
  const counts: Array<Array<number>> = aggs.map(() => [])
  const uniques: Array<Array<Set<number>>> = aggs.map(() => [])
  const cursor = new RowCursor(seed)
  const nGroup = coders.length
  const nAgg = aggs.length
  const codes = new Array<number>(nGroup).fill(0)
  scan: for (let row = 0; row < tableRows; row++) {
    cursor.at(row)
    for (const test of tests) if (!test(cursor)) continue scan
    let key = 0
    for (let g = 0; g < nGroup; g++) {
      const coder = coders[g]!
      const code = coder.code(cursor)
      codes[g] = code
      key = key * coder.size + code
    }
    let gi = groups.get(key)
    if (gi === undefined) {
      gi = groupCodes.length
      groups.set(key, gi)
      groupCodes.push([...codes])
      for (let a = 0; a < nAgg; a++) {
        const agg = aggs[a]!.aggregate
        sums[a]!.push(agg === "MIN" ? Number.POSITIVE_INFINITY : agg === "MAX" ? Number.NEGATIVE_INFINITY : 0)
        counts[a]!.push(0)
        if (agg === "UNIQUE_COUNT") uniques[a]!.push(new Set())
      }
    }
    for (let a = 0; a < nAgg; a++) {
      const s = aggs[a]!
      if ((cursor.nullMask >>> s.column.index) & 1) continue
      const v = reads[a]!(cursor)
      const acc = sums[a]!
      counts[a]![gi]!++
      switch (s.aggregate) {
        case "MIN":
          if (v < acc[gi]!) acc[gi] = v
          break
        case "MAX":
          if (v > acc[gi]!) acc[gi] = v
          break
        case "UNIQUE_COUNT":
          uniques[a]![gi]!.add(v)
          break
        default:
          acc[gi]! += v
      }
    }
  }
  const groupCount = groupCodes.length
  // Final values per aggregate; null when a group had no non-null input.
  const values: Array<Array<number | null>> = aggs.map((s, a) =>
    Array.from({ length: groupCount }, (_, g) => {
      const count = counts[a]![g]!
      switch (s.aggregate) {
        case "COUNT":
          return count
        case "UNIQUE_COUNT":
          return uniques[a]![g]!.size
        case "AVERAGE":
          return count === 0 ? null : sums[a]![g]! / count
        default:
          return count === 0 ? null : sums[a]![g]!
      }
    })
  )
  // Row order: the sort column, else the grouping columns ascending (dates chronologically).
  const order = Array.from({ length: groupCount }, (_, i) => i)
  const sortKey = (sel: number, g: number): number => {
    const gPos = groupSel.indexOf(sel)
    if (gPos >= 0) return coders[gPos]!.rank(groupCodes[g]![gPos]!)
    const v = values[aggSel.indexOf(sel)]![g]!
    return v === null ? Number.NEGATIVE_INFINITY : v
  }
  const sort = plan.sort
  order.sort((a, b) => {
    if (sort !== undefined) {
      const d = sortKey(sort.selection, a) - sortKey(sort.selection, b)
      if (d !== 0) return sort.descending ? -d : d
    }
    for (let g = 0; g < nGroup; g++) {
      const d = coders[g]!.rank(groupCodes[a]![g]!) - coders[g]!.rank(groupCodes[b]![g]!)
      if (d !== 0) return d
    }
    return 0
  })
  const rows = plan.limit === undefined ? order : order.slice(0, plan.limit)
  const keys = fullKeys(plan.selections.map((s) => s.name))
  let current = 0
  return {
    columnNames: plan.selections.map((s) => s.name),
    rowCount: rows.length,
    writeRows: (out, from, to, format) =>
      writeGeneric(
        out,
        from,
        to,
        format,
        keys,
        (i) => {
          current = rows[i]!
          let mask = 0
          groupSel.forEach((sel, g) => {
            if (groupCodes[current]![g] === 0) mask |= 1 << sel
          })
          aggSel.forEach((sel, a) => {
            if (values[a]![current] === null) mask |= 1 << sel
          })
          return mask
        },
        (c) => {
          const g = groupSel.indexOf(c)
          if (g >= 0) coders[g]!.write(out, groupCodes[current]![g]!)
          else {
            const a = aggSel.indexOf(c)
            writers[a]!(out, values[a]![current]!)
          }
        }
      )
  }
}

/** Runs a plan: detail plans stream, aggregated plans scan once. */
export const runPlan = (
  plan: QueryPlan,
  seed: number,
  tableRows: number,
  calendar: Calendar
): ResultSet | QueryError =>
  plan.detail ? detailResult(plan, seed, tableRows, calendar) : aggregatedResult(plan, seed, tableRows, calendar)

/** The model's column names (for error messages and metadata). */
export const modelColumnNames = orderColumns.map((c) => c.name)

/**
 * Writes a whole page into a fresh buffer sized for `bytesPerRow`, or over `reuse` (a spare page buffer; the page
 * is then a view of it). Used by tests and by the page cache.
 */
export const renderRows = (
  result: ResultSet,
  from: number,
  to: number,
  format: DataFormat,
  reuse?: Buffer,
  bytesPerRow = 128
): Buffer => {
  const out = new ByteWriter(reuse ?? Math.max(1024, Math.ceil((to - from) * bytesPerRow)))
  result.writeRows(out, from, to, format)
  const bytes = out.take()
  // Keep fresh pages tight: copy out when the writer over-allocated by more than a quarter.
  return reuse === undefined && bytes.length < out.buf.length * 0.75 ? Buffer.from(bytes) : bytes
}
