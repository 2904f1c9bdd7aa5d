/**
 * Runtime sorts and filters of an answer, liveboard or search export: `--sort COL[:asc|:desc]` and
 * `--runtime-filter "COL OP VALUE…"`, or a job file's `sort` and `runtimeFilters`. ThoughtSpot's data endpoints take
 * them as `runtime_sort` (`{"sortCol1":"Order ID","asc1":true,…}`) and `runtime_filter` (`{"col1":"Region",
 * "op1":"EQ","val1":"West",…}`); this module holds the operators they take (one list), reads the command line's
 * text, checks a job file's entries, and builds the objects sent. A value on a DATE or DATE_TIME column is sent as
 * ThoughtSpot requires it, epoch seconds: a day or wall time given as text is converted in the data time zone
 * ({@link typedRuntimeFilters}). Both are part of what an export reads, so they are in its fingerprint (as given:
 * the data time zone that converts them is in it too, so a resume never continues a file read with other ones)
 * and in the manifest's source (as sent, and the converted values as given).
 */
import { Effect, Schema } from "effect"
import type { RuntimeRequest } from "../cluster/Cluster.ts"
import { UsageError } from "../UsageError.ts"
import { hasSortBy } from "./SearchOrder.ts"
import { wallEpochOf } from "./WallTime.ts"

/**
 * The runtime filter operators of ThoughtSpot's data APIs (its runtime-filter documentation), with the values
 * each takes: one, two (a range), or one or more (a list).
 */
export const runtimeFilterOperators = {
  EQ: "one",
  NE: "one",
  LT: "one",
  LE: "one",
  GT: "one",
  GE: "one",
  CONTAINS: "one",
  BEGINS_WITH: "one",
  ENDS_WITH: "one",
  BW: "two",
  BW_INC: "two",
  BW_INC_MIN: "two",
  BW_INC_MAX: "two",
  IN: "list",
  NOT_IN: "list"
} as const

/** A runtime filter operator. */
export type RuntimeFilterOperator = keyof typeof runtimeFilterOperators

const operatorNames = Object.keys(runtimeFilterOperators) as ReadonlyArray<RuntimeFilterOperator>

/** The operators as a message lists them. */
export const operatorList = operatorNames.join(", ")

const isOperator = (word: string): word is RuntimeFilterOperator => Object.hasOwn(runtimeFilterOperators, word)

/**
 * The most runtime filters one export takes: ThoughtSpot documents that filters beyond the 49th are dropped
 * without a word, so more are refused rather than sent.
 */
export const maxRuntimeFilters = 49

/** One sort column: `{"column": "Revenue", "order": "desc"}` (order `asc` when left out). */
export const SortKey = Schema.Struct({
  column: Schema.String.check(Schema.isMinLength(1, { message: "must not be empty" })),
  order: Schema.optionalKey(Schema.Literals(["asc", "desc"]))
})
/** See {@link SortKey}. */
export type SortKey = typeof SortKey.Type

/** What is wrong with `values` for `op` (undefined: nothing). */
const valuesProblem = (op: RuntimeFilterOperator, values: ReadonlyArray<string>): string | undefined => {
  const arity = runtimeFilterOperators[op]
  if (arity === "one" && values.length !== 1) return `${op} takes one value, not ${values.length}`
  if (arity === "two" && values.length !== 2) return `${op} takes two values (from and to), not ${values.length}`
  if (arity === "list" && values.length === 0) return `${op} takes one value or more`
  return undefined
}

/** One runtime filter: `{"column": "Region", "op": "IN", "values": ["West", "East"]}` (values as text, as sent). */
export const RuntimeFilter = Schema.Struct({
  column: Schema.String.check(Schema.isMinLength(1, { message: "must not be empty" })),
  op: Schema.String.check(
    Schema.makeFilter((op: string) => isOperator(op) || `must be one of ${operatorList} (upper case)`)
  ),
  values: Schema.Array(Schema.String)
}).check(Schema.makeFilter((filter) => !isOperator(filter.op) || (valuesProblem(filter.op, filter.values) ?? true)))
/** See {@link RuntimeFilter}. */
export type RuntimeFilter = typeof RuntimeFilter.Type

/** A job file's `sort`: the sort columns in order, at least one. */
export const SortSpec = Schema.Array(SortKey).check(
  Schema.isMinLength(1, { message: "list at least one column, or leave sort out" })
)

/** A job file's `runtimeFilters`: at least one, at most {@link maxRuntimeFilters}. */
export const RuntimeFiltersSpec = Schema.Array(RuntimeFilter).check(
  Schema.isMinLength(1, { message: "list at least one filter, or leave runtimeFilters out" }),
  Schema.isMaxLength(maxRuntimeFilters, {
    message: `list at most ${maxRuntimeFilters} filters (ThoughtSpot drops those beyond without a word)`
  })
)

/** The runtime sort and filters of an export spec, as a job file or the command line gives them. */
export interface RuntimeOptions {
  readonly sort?: ReadonlyArray<SortKey>
  readonly runtimeFilters?: ReadonlyArray<RuntimeFilter>
}

/** The `runtime_sort` object sent for `sort` (undefined: none). */
export const runtimeSortOf = (sort: ReadonlyArray<SortKey> | undefined): Record<string, unknown> | undefined =>
  sort === undefined || sort.length === 0
    ? undefined
    : Object.fromEntries(
        sort.flatMap((key, i) => [
          [`sortCol${i + 1}`, key.column],
          [`asc${i + 1}`, key.order !== "desc"]
        ])
      )

/** A filter's `valN`: a one-value operator's value as text, a range's or a list's values as an array. */
const valueField = (filter: RuntimeFilter): unknown =>
  isOperator(filter.op) && runtimeFilterOperators[filter.op] === "one" ? filter.values[0] : filter.values

/** The `runtime_filter` object sent for `filters` (undefined: none). */
export const runtimeFilterOf = (
  filters: ReadonlyArray<RuntimeFilter> | undefined
): Record<string, unknown> | undefined =>
  filters === undefined || filters.length === 0
    ? undefined
    : Object.fromEntries(
        filters.flatMap((filter, i) => [
          [`col${i + 1}`, filter.column],
          [`op${i + 1}`, filter.op],
          [`val${i + 1}`, valueField(filter)]
        ])
      )

/**
 * The values of `sent` that are not as `given` (the same filters, in order; a date converted to epoch seconds),
 * keyed as `runtime_filter` keys them and written as given (`{"val1": "2025-06-01"}`); undefined when every value
 * went as given. The manifest records it beside the filter sent.
 */
export const runtimeFilterGivenOf = (
  given: ReadonlyArray<RuntimeFilter> | undefined,
  sent: ReadonlyArray<RuntimeFilter> | undefined
): Record<string, unknown> | undefined => {
  const changed = (sent ?? []).flatMap((filter, i) => {
    const before = given?.[i]
    if (before === undefined) return []
    const same = before.values.length === filter.values.length && before.values.every((v, k) => v === filter.values[k])
    return same ? [] : [[`val${i + 1}`, valueField(before)] as const]
  })
  return changed.length === 0 ? undefined : Object.fromEntries(changed)
}

const dateTypes = new Set(["DATE", "DATE_TIME", "TIMESTAMP"])
const epochSeconds = /^-?\d+$/
/** A value that starts like a day (`2025-06-01…`): said when its column's type is unknown. */
const dayLike = /^\d{4}-\d{2}-\d{2}/

/**
 * The type of the column named `name` among `columns` (a result's or a model's): that of the columns so named, else
 * of those so named ignoring case (a cluster may match names so); undefined when there is none, or when the
 * columns so named have different types.
 */
export const columnTypeIn =
  (columns: ReadonlyArray<{ readonly name?: string; readonly type: string }>) =>
  (name: string): string | undefined => {
    const exact = columns.filter((c) => c.name === name)
    const lower = name.toLowerCase()
    const named = exact.length > 0 ? exact : columns.filter((c) => c.name?.toLowerCase() === lower)
    const types = new Set(named.map((c) => c.type))
    return types.size === 1 ? named[0]!.type : undefined
  }

/** Runtime filters as sent, and what was said about them (already logged). */
export interface TypedRuntimeFilters {
  readonly filters: ReadonlyArray<RuntimeFilter> | undefined
  readonly warnings: ReadonlyArray<string>
}

/**
 * `filters` as sent to a result whose column types `typeOf` gives (undefined: unknown). ThoughtSpot takes a DATE or
 * DATE_TIME runtime filter value only as epoch seconds, so on such a column (or a TIMESTAMP) a day `YYYY-MM-DD` is
 * sent as its local midnight and, but on a DATE, a wall time `YYYY-MM-DD HH:mm:ss` as its instant, both in the data
 * time zone (`dataZone`, asked for only then), by the rule of WallTime.ts that `--since` uses; digits (epoch
 * seconds) go as they are, and anything else is a usage error saying the two forms. A column of unknown type keeps
 * its values as given, and a value that looks like a day there is a warning (a real cluster takes no date text).
 * `flag` names where the filters were given (`--runtime-filter`, `runtimeFilters`), `what` the export.
 */
export const typedRuntimeFilters = <E>(
  filters: ReadonlyArray<RuntimeFilter> | undefined,
  typeOf: (column: string) => string | undefined,
  dataZone: Effect.Effect<string, E>,
  flag: string,
  what: string
): Effect.Effect<TypedRuntimeFilters, E | UsageError> =>
  Effect.gen(function* () {
    if (filters === undefined) return { filters, warnings: [] }
    const warnings: Array<string> = []
    let zone: string | undefined
    const sent: Array<RuntimeFilter> = []
    for (const filter of filters) {
      const type = typeOf(filter.column)
      if (type === undefined || !dateTypes.has(type)) {
        const dated = type === undefined ? filter.values.find((v) => dayLike.test(v)) : undefined
        if (dated !== undefined) {
          warnings.push(
            `${flag} on "${filter.column}": the type of "${filter.column}" in this result is unknown (the cluster describes no column of that name with one type), so "${dated}" is sent as given, and ThoughtSpot takes a DATE or DATE_TIME value only as epoch seconds: if it is a date, name the column as the result does (a day is then sent as epoch seconds) or give epoch seconds`
          )
        }
        sent.push(filter)
        continue
      }
      const day = type === "DATE"
      const values: Array<string> = []
      for (const value of filter.values) {
        if (epochSeconds.test(value)) {
          values.push(value)
          continue
        }
        zone ??= yield* dataZone
        const epoch = wallEpochOf(value, day, zone)
        if (typeof epoch === "number") {
          values.push(String(epoch))
          continue
        }
        const forms = day
          ? `a day, 2025-06-01 (its midnight in the data time zone, ${zone}), or epoch seconds`
          : `a wall time, 2025-06-01 13:30:00, or a day, 2025-06-01 (its midnight), in the data time zone (${zone}), or epoch seconds`
        const why =
          epoch.problem === "form"
            ? `is not a ${type} as a runtime filter takes it`
            : epoch.problem === "calendar"
              ? "is no day or time of the calendar"
              : `cannot be read in the data time zone: ${epoch.message}`
        return yield* new UsageError({
          message: `${what}: ${flag} on the ${type} column "${filter.column}": "${value}" ${why}; give ${forms}`
        })
      }
      sent.push({ ...filter, values })
    }
    for (const warning of warnings) yield* Effect.logWarning(`${what}: ${warning}`)
    return { filters: sent, warnings }
  })

/** The request fields of `options` (empty when it has neither). */
export const runtimeRequestOf = (options: RuntimeOptions): RuntimeRequest => {
  const runtimeSort = runtimeSortOf(options.sort)
  const runtimeFilter = runtimeFilterOf(options.runtimeFilters)
  return {
    ...(runtimeSort === undefined ? {} : { runtimeSort }),
    ...(runtimeFilter === undefined ? {} : { runtimeFilter })
  }
}

/**
 * The manifest source's `runtime_sort` and `runtime_filter`, the objects sent, and `runtime_filter_given`, the
 * values sent otherwise than given (see {@link runtimeFilterGivenOf}): each only when there is one.
 */
export const runtimeSourceOf = (
  runtime: RuntimeRequest,
  given?: Readonly<Record<string, unknown>>
): {
  readonly runtime_sort?: Readonly<Record<string, unknown>>
  readonly runtime_filter?: Readonly<Record<string, unknown>>
  readonly runtime_filter_given?: Readonly<Record<string, unknown>>
} => ({
  ...(runtime.runtimeSort === undefined ? {} : { runtime_sort: runtime.runtimeSort }),
  ...(runtime.runtimeFilter === undefined ? {} : { runtime_filter: runtime.runtimeFilter }),
  ...(given === undefined || runtime.runtimeFilter === undefined ? {} : { runtime_filter_given: given })
})

/**
 * Why a search's `sort` is refused (undefined: it is not): with a `sort by` in the query, which of the two orders
 * the cluster applies, or how it combines them, is not documented, so the order of the rows would be a guess.
 */
export const searchSortProblem = (query: string, sort: ReadonlyArray<SortKey> | undefined): string | undefined =>
  sort !== undefined && sort.length > 0 && hasSortBy(query)
    ? 'the search query has its own "sort by", and how ThoughtSpot would combine it with a runtime sort is not documented: put every sort column in the query (… sort by [Order ID]) or remove its sort by'
    : undefined

/** `--sort`'s text: `COLUMN`, `COLUMN:asc` or `COLUMN:desc` (the suffix in any case); the column as given. */
export const parseSortKey = (text: string): { readonly ok: SortKey } | { readonly refused: string } => {
  const m = /^(.*):(asc|desc)$/is.exec(text)
  const column = m === null ? text : m[1]!
  if (column.trim() === "") {
    return {
      refused: `--sort "${text}" names no column: give COLUMN, COLUMN:asc or COLUMN:desc (--sort "Revenue:desc")`
    }
  }
  const order = m === null ? undefined : (m[2]!.toLowerCase() as "asc" | "desc")
  return { ok: order === undefined ? { column } : { column, order } }
}

/** A word of `--runtime-filter`'s text: where it starts in the text, its text, and whether it was quoted. */
interface Word {
  readonly start: number
  readonly text: string
  readonly quoted: boolean
}

/** The words of `text`, split at whitespace; `"…"` is one word with its spaces (`\"` a quote, `\\` a backslash). */
const wordsOf = (text: string): Array<Word> | string => {
  const words: Array<Word> = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++
      continue
    }
    const start = i
    if (text[i] === '"') {
      let value = ""
      i++
      for (;;) {
        if (i >= text.length) return `a quote opened at position ${start + 1} is not closed`
        const ch = text[i]!
        if (ch === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) {
          value += text[i + 1]
          i += 2
        } else if (ch === '"') {
          i++
          break
        } else {
          value += ch
          i++
        }
      }
      if (i < text.length && !/\s/.test(text[i]!)) return `a quoted value must end at a space (position ${i + 1})`
      words.push({ start, text: value, quoted: true })
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i++
      words.push({ start, text: text.slice(start, i), quoted: false })
    }
  }
  return words
}

/**
 * `--runtime-filter`'s text, `COLUMN OP VALUE…`: the operator is the first word after the column that is an
 * operator's name (upper case), so a column name may hold spaces; the values are the words after it, a value with
 * spaces in double quotes (`Region IN West "North East"`). A column is given whole in double quotes when it holds
 * an operator's name as a word.
 */
export const parseRuntimeFilter = (text: string): { readonly ok: RuntimeFilter } | { readonly refused: string } => {
  const usage = `write COLUMN OP VALUE…, OP one of ${operatorList} (--runtime-filter "Region EQ West")`
  const refused = (why: string) => ({ refused: `--runtime-filter "${text}": ${why}; ${usage}` })
  const words = wordsOf(text)
  if (typeof words === "string") return refused(words)
  const first = words[0]
  // A quoted first word is the whole column; else the column runs up to the first operator word.
  const at = first?.quoted === true ? 1 : words.findIndex((w, i) => i > 0 && !w.quoted && isOperator(w.text))
  const opWord = at < 0 ? undefined : words[at]
  if (first === undefined || opWord === undefined || !isOperator(opWord.text)) {
    const lower = words.find((w, i) => i > 0 && !w.quoted && isOperator(w.text.toUpperCase()))
    return refused(
      lower !== undefined
        ? `"${lower.text}" is no operator: operators are upper case (${lower.text.toUpperCase()})`
        : "it names no operator"
    )
  }
  const column = first.quoted ? first.text : text.slice(first.start, opWord.start).trim()
  if (column === "") return refused("it names no column")
  const op = opWord.text
  const values = words.slice(at + 1).map((w) => w.text)
  const problem = valuesProblem(op, values)
  if (problem !== undefined) {
    // A date and time written unquoted is two words: say so with its own example.
    const valueWords = words.slice(at + 1)
    const split = valueWords.findIndex(
      (w, i) =>
        !w.quoted && /^\d{4}-\d{2}-\d{2}$/.test(w.text) && /^\d{2}:\d{2}:\d{2}$/.test(valueWords[i + 1]?.text ?? "")
    )
    const hint =
      split >= 0
        ? `a date and time is one value, in double quotes: "${valueWords[split]!.text} ${valueWords[split + 1]!.text}"`
        : 'a value with spaces goes in double quotes: "North East"'
    return refused(`${problem} (${hint})`)
  }
  return { ok: { column, op, values } }
}
