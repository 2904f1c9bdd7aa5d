/**
 * The sandbox's subset of ThoughtSpot's search-token language, parsed into a plan over the Orders model:
 * `[Column]`, date buckets (`[Order Date].monthly` or `.'monthly'`), aggregate keywords (`sum`, `average`,
 * `min`, `max`, `count`, `unique count`), `sort by [Column] [ascending|descending]` and `top N` / `bottom N`,
 * and filters `[Column] >= 'value'` (operators `=`, `!=`, `<`, `<=`, `>`, `>=`; a value in single quotes, or a
 * bare number), which select rows without adding a column. Tokens are case-insensitive, as in ThoughtSpot.
 */
import { type DataType, type ModelColumn, orderColumns } from "./Orders.ts"
import { type Bucket, bucketLabel, buckets } from "./Zone.ts"

/** An aggregation applied to a column. */
export type Aggregate = "SUM" | "AVERAGE" | "MIN" | "MAX" | "COUNT" | "UNIQUE_COUNT"

const aggregatePrefix: Record<Aggregate, string> = {
  SUM: "Total",
  AVERAGE: "Average",
  MIN: "Minimum",
  MAX: "Maximum",
  COUNT: "Count",
  UNIQUE_COUNT: "Unique Count"
}

/** One selected output column. */
export interface Selection {
  readonly column: ModelColumn
  readonly bucket: Bucket | undefined
  readonly aggregate: Aggregate | undefined
  /** The result column name ThoughtSpot would print ("Month(Order Date)", "Total Revenue"). */
  readonly name: string
  /** The data type of the result cells (bucketed dates are DATE; counts INT64; averages DOUBLE). */
  readonly dataType: DataType
}

/** A comparison operator of a filter. */
export type FilterOp = "=" | "!=" | "<" | "<=" | ">" | ">="

/** A filter `[column] op 'value'`: keeps the rows whose cell compares true (a null cell never does). */
export interface Filter {
  readonly column: ModelColumn
  readonly op: FilterOp
  readonly value: string
}

const filterOps: ReadonlyArray<string> = ["=", "!=", "<", "<=", ">", ">="]

/** A parsed query. `detail` plans return one row per order; the others group and aggregate. */
export interface QueryPlan {
  readonly text: string
  readonly selections: ReadonlyArray<Selection>
  readonly filters: ReadonlyArray<Filter>
  readonly detail: boolean
  readonly sort: { readonly selection: number; readonly descending: boolean } | undefined
  readonly limit: number | undefined
}

/** Why a query was rejected, phrased for the caller. */
export class QueryError {
  readonly _tag = "QueryError"
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

type Token =
  | { readonly kind: "column"; readonly name: string; readonly bucket: string | undefined }
  | { readonly kind: "word"; readonly word: string }
  | { readonly kind: "value"; readonly text: string }

const tokenize = (text: string): Array<Token> | QueryError => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (/\s/.test(ch)) {
      i++
    } else if (ch === "[") {
      const close = text.indexOf("]", i)
      if (close < 0) return new QueryError(`unclosed '[' at position ${i} in the search query`)
      const name = text.slice(i + 1, close).trim()
      i = close + 1
      let bucket: string | undefined
      if (text[i] === ".") {
        const quoted = text[i + 1] === "'"
        const start = i + (quoted ? 2 : 1)
        let end = start
        if (quoted) {
          end = text.indexOf("'", start)
          if (end < 0) return new QueryError(`unclosed quote after [${name}]. in the search query`)
        } else {
          while (end < text.length && /[A-Za-z_]/.test(text[end]!)) end++
        }
        bucket = text.slice(start, end).toLowerCase()
        i = end + (quoted ? 1 : 0)
      }
      tokens.push({ kind: "column", name, bucket })
    } else if (ch === "'") {
      const close = text.indexOf("'", i + 1)
      if (close < 0) return new QueryError(`unclosed quote at position ${i} in the search query`)
      tokens.push({ kind: "value", text: text.slice(i + 1, close) })
      i = close + 1
    } else {
      let end = i
      while (end < text.length && !/[\s[]/.test(text[end]!)) end++
      tokens.push({ kind: "word", word: text.slice(i, end).toLowerCase() })
      i = end
    }
  }
  return tokens
}

const aggregateWords: Record<string, Aggregate> = {
  sum: "SUM",
  total: "SUM",
  average: "AVERAGE",
  avg: "AVERAGE",
  min: "MIN",
  minimum: "MIN",
  max: "MAX",
  maximum: "MAX",
  count: "COUNT"
}

const isDate = (t: DataType) => t === "DATE" || t === "DATE_TIME"

const resultType = (column: ModelColumn, bucket: Bucket | undefined, aggregate: Aggregate | undefined): DataType => {
  if (aggregate === "COUNT" || aggregate === "UNIQUE_COUNT") return "INT64"
  if (aggregate === "AVERAGE") return "DOUBLE"
  if (bucket !== undefined) return "DATE"
  return column.dataType
}

/** Parses a search query over the Orders model; returns a plan or a `QueryError` saying what is wrong. */
export const parseQuery = (text: string): QueryPlan | QueryError => {
  const tokens = tokenize(text)
  if (tokens instanceof QueryError) return tokens
  const raw: Array<{ column: ModelColumn; bucket: Bucket | undefined; aggregate: Aggregate | undefined }> = []
  let sortRef: { column: ModelColumn; descending: boolean } | undefined
  let limit: number | undefined
  let bottom = false
  const findColumn = (name: string): ModelColumn | QueryError =>
    orderColumns.find((c) => c.name.toLowerCase() === name.toLowerCase()) ??
    new QueryError(`unknown column [${name}]; the Orders model has ${orderColumns.map((c) => `[${c.name}]`).join(" ")}`)
  let pendingAggregate: Aggregate | undefined
  const filters: Array<Filter> = []
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k]!
    if (tok.kind === "value") return new QueryError(`the value '${tok.text}' follows no [Column] and operator`)
    const opToken = tokens[k + 1]
    if (tok.kind === "column" && opToken?.kind === "word" && filterOps.includes(opToken.word)) {
      const operand = tokens[k + 2]
      const value =
        operand?.kind === "value"
          ? operand.text
          : operand?.kind === "word" && /^-?\d+(\.\d+)?$/.test(operand.word)
            ? operand.word
            : undefined
      if (value === undefined) {
        return new QueryError(`the filter on [${tok.name}] needs a value: a number, or text in single quotes`)
      }
      const column = findColumn(tok.name)
      if (column instanceof QueryError) return column
      filters.push({ column, op: opToken.word as FilterOp, value })
      k += 2
      continue
    }
    if (tok.kind === "word") {
      const next = tokens[k + 1]
      if (tok.word === "sort" && next?.kind === "word" && next.word === "by") {
        const target = tokens[k + 2]
        if (target?.kind !== "column") return new QueryError("'sort by' must be followed by a [Column]")
        const column = findColumn(target.name)
        if (column instanceof QueryError) return column
        const dir = tokens[k + 3]
        let descending = false
        if (dir?.kind === "word" && ["descending", "desc", "ascending", "asc"].includes(dir.word)) {
          descending = dir.word.startsWith("desc")
          k++
        }
        sortRef = { column, descending }
        k += 2
      } else if (tok.word === "top" || tok.word === "bottom") {
        bottom = tok.word === "bottom"
        if (next?.kind === "word" && /^\d+$/.test(next.word)) {
          limit = Number(next.word)
          k++
        } else limit = 10 // a bare `top` means top 10, as in ThoughtSpot
      } else if (tok.word === "unique" && next?.kind === "word" && next.word === "count") {
        pendingAggregate = "UNIQUE_COUNT"
        k++
      } else if (aggregateWords[tok.word] !== undefined) {
        pendingAggregate = aggregateWords[tok.word]
      } else {
        return new QueryError(
          `unsupported search token '${tok.word}'; the sandbox understands [Column], .daily/.weekly/.monthly/.quarterly/.yearly, ` +
            "sum/average/min/max/count/unique count, 'sort by [Column] [descending]', 'top N' and [Column] >= 'value'"
        )
      }
    } else {
      const column = findColumn(tok.name)
      if (column instanceof QueryError) return column
      let bucket: Bucket | undefined
      if (tok.bucket !== undefined) {
        const b = buckets.find((x) => x === tok.bucket)
        if (b === undefined) return new QueryError(`unsupported date bucket '.${tok.bucket}' on [${column.name}]`)
        if (!isDate(column.dataType))
          return new QueryError(`[${column.name}] is not a date column; it cannot be bucketed`)
        bucket = b
      }
      raw.push({ column, bucket, aggregate: pendingAggregate })
      pendingAggregate = undefined
    }
  }
  if (raw.length === 0) return new QueryError("the search query selects no [Column]")
  const keyed = raw.some((r) => r.column.name === "Order ID" && r.aggregate === undefined)
  const detail = keyed && raw.every((r) => r.aggregate === undefined)
  if (keyed && !detail) {
    return new QueryError("the sandbox cannot combine [Order ID] (one row per order) with aggregate keywords")
  }
  const selections: Array<Selection> = raw.map(({ column, bucket, aggregate }) => {
    // Aggregated queries sum measures by default and bucket bare dates monthly (as observed on live clusters).
    const agg = detail ? aggregate : (aggregate ?? (column.kind === "MEASURE" ? "SUM" : undefined))
    const bkt = !detail && agg === undefined && bucket === undefined && isDate(column.dataType) ? "monthly" : bucket
    const name =
      agg !== undefined
        ? `${aggregatePrefix[agg]} ${column.name}`
        : bkt !== undefined
          ? `${bucketLabel[bkt]}(${column.name})`
          : column.name
    return { column, bucket: bkt, aggregate: agg, name, dataType: resultType(column, bkt, agg) }
  })
  let sort: QueryPlan["sort"]
  if (sortRef !== undefined) {
    const ref = sortRef
    const idx = selections.findIndex((s) => s.column === ref.column)
    if (idx < 0) return new QueryError(`'sort by [${ref.column.name}]' needs [${ref.column.name}] in the query`)
    sort = { selection: idx, descending: ref.descending }
  } else if (limit !== undefined) {
    const measure = selections.findIndex((s) => s.aggregate !== undefined)
    if (measure >= 0) sort = { selection: measure, descending: !bottom }
  }
  // In an aggregated query a filter on an attribute or date keeps rows before they are grouped (as a cluster's
  // WHERE); one on a measure would filter the totals (HAVING), which the sandbox does not do.
  const measureFilter = detail ? undefined : filters.find((f) => f.column.kind === "MEASURE")
  if (measureFilter !== undefined) {
    return new QueryError(
      `the sandbox filters a measure ([${measureFilter.column.name}]) in row-level queries (with [Order ID]) only`
    )
  }
  return { text, selections, filters, detail, sort, limit }
}
