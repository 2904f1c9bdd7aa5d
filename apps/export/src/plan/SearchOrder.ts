/**
 * Whether a result read in pages has a fixed order, and what to say when it has none. Each data page is a query of
 * its own on the cluster, so a result read in several pages is complete and free of repeats only when its order is
 * fixed by a `sort by`: a search's own query, or the query a saved answer or liveboard visualization was saved with
 * (its TML's `search_query`, read only once its result is found to span pages: see {@link savedOrder}; SavedTml.ts reads it). The query
 * string is read as ThoughtSpot's search tokens: `[Column]` references (a bucket such as `.monthly` or
 * `.'day of week'` after them) and quoted values are skipped whole, so a `sort by` inside a column name
 * (`[sort by x]`) or a value (`'sort by'`) does not count; only the words `sort by` followed by a `[Column]` do. A
 * quote left open takes the rest of the query, so text that cannot be read for certain never counts as a sort.
 * Whether the sort's columns make each row unique is not known here (it depends on the data).
 */
import { Effect, Result } from "effect"
import { commandLineNames, type SettingNames } from "./SettingNames.ts"

/** A search token: a `[Column]` reference, a quoted value, or a bare word (lowercased: tokens ignore case). */
export type Token =
  | { readonly kind: "column" }
  | { readonly kind: "value" }
  | { readonly kind: "word"; readonly word: string }

/** The end of the quoted value that opens at `open` (past its closing quote; the query's end when left open). */
const quotedEnd = (query: string, open: number): number => {
  const quote = query[open]
  for (let i = open + 1; i < query.length; i++) {
    // A backslash escapes the next character: reading it as one can only make a `sort by` look quoted (a warning
    // too many), never make quoted text look like a sort.
    if (query[i] === "\\") i++
    else if (query[i] === quote) return i + 1
  }
  return query.length
}

/**
 * The search tokens of `query`, as the module comment reads them: a `[Column]` or a quoted value is one token
 * whatever it holds, so a keyword inside one is no keyword.
 */
export const tokensOf = (query: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < query.length) {
    const ch = query[i]!
    if (/\s/.test(ch)) {
      i++
    } else if (ch === "[") {
      const close = query.indexOf("]", i + 1)
      i = close < 0 ? query.length : close + 1
      tokens.push({ kind: "column" })
    } else if (ch === "'" || ch === '"') {
      i = quotedEnd(query, i)
      tokens.push({ kind: "value" })
    } else {
      let end = i
      while (end < query.length && !/[\s[\]'"]/.test(query[end]!)) end++
      // A stray `]` is a word of its own, so the loop always moves on.
      if (end === i) end++
      tokens.push({ kind: "word", word: query.slice(i, end).toLowerCase() })
      i = end
    }
  }
  return tokens
}

const isWord = (token: Token | undefined, word: string): boolean => token?.kind === "word" && token.word === word

/** Whether `query` (a search token string) sorts its result: the words `sort by` followed by a `[Column]`. */
export const hasSortBy = (query: string): boolean => {
  const tokens = tokensOf(query)
  return tokens.some(
    (token, i) => isWord(token, "sort") && isWord(tokens[i + 1], "by") && tokens[i + 2]?.kind === "column"
  )
}

/**
 * Whether a result, of which a page starting at row `before` was just read, spans more than one page of `pageSize`
 * rows: it does when rows before it were read (a later page, a resumed output, a later part of a split export), or
 * when the source announces more rows than one page holds (`available`, `available_data_row_count`).
 */
export const spansPages = (before: number, available: number | undefined, pageSize: number): boolean =>
  before > 0 || (available !== undefined && available > pageSize)

/** How a result's pages are read, for a warning: `its 250 rows are read in 3 pages of 100`, when the count is known. */
const readIn = (available: number | undefined, pageSize: number): string =>
  available === undefined
    ? "its result is read in several pages"
    : `its ${available} rows are read in ${Math.ceil(available / pageSize)} pages of ${pageSize}`

const eachPage =
  "each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing"

/**
 * The warning for a search without `sort by` whose result spans several pages: what happened, why it matters and
 * what to do. `available` is the source's row count, when it gives one.
 */
export const unsortedWarning = (available: number | undefined, pageSize: number): string =>
  `the search query has no "sort by" and ${readIn(available, pageSize)}: ${eachPage}; add a sort by on columns that make each row unique (… sort by [Order ID])`

/**
 * How an output's order is checked once its result is found to span pages: the warning for a result of `total`
 * rows (when the source says) read in pages of `pageSize`, or undefined when its order is fixed. It never fails:
 * an order that cannot be checked is a warning of its own.
 */
export type OrderCheck = (total: number | undefined, pageSize: number) => Effect.Effect<string | undefined>

/** The check of a search whose query has no `sort by`: always its warning. */
export const unsortedSearch: OrderCheck = (total, pageSize) => Effect.succeed(unsortedWarning(total, pageSize))

/** What a saved query belongs to: a saved answer, or a visualization of a liveboard. */
export type SavedKind = "answer" | "visualization"

/** The runtime sort that fixes the order, in the words of the export's origin (`say`: a flag, or a job file's key). */
const runtimeSortFix = (say: SettingNames) =>
  `sort it on columns that make each row unique with ${say.named("sort")} (e.g. ${say.written("sort", "Order ID")})`

/** The warning for a saved answer or visualization whose saved query has no `sort by`, read in several pages. */
export const unsortedSavedWarning = (
  kind: SavedKind,
  available: number | undefined,
  pageSize: number,
  say: SettingNames = commandLineNames
): string =>
  `the ${kind === "answer" ? "saved answer's query" : "visualization's saved query"} has no "sort by" and ${readIn(available, pageSize)}: ${eachPage}; ${runtimeSortFix(say)}, or save the ${kind} with such a sort by`

/**
 * The warning for a saved answer or visualization read in several pages whose saved query could not be read
 * (`why`): its order is not known, so it is said, never guessed either way.
 */
export const uncheckedOrderWarning = (
  kind: SavedKind,
  why: string,
  available: number | undefined,
  pageSize: number,
  say: SettingNames = commandLineNames
): string =>
  `whether the ${kind === "answer" ? "saved answer's query" : "visualization's saved query"} has a "sort by" could not be checked (${why}), and ${readIn(available, pageSize)}: ${eachPage}; ${runtimeSortFix(say)}, which needs no check`

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined

/**
 * The saved query (`search_query`) in a TML document of JSON text: an answer's (`answer.search_query`), or with
 * `viz` (a GUID) that of the liveboard visualization whose `viz_guid` it is. A failure says why there is none.
 */
export const savedQueryOf = (tml: string, viz?: string): Result.Result<string, string> => {
  let doc: unknown
  try {
    doc = JSON.parse(tml)
  } catch {
    return Result.fail("its TML is not a JSON document")
  }
  let answer: unknown
  if (viz === undefined) {
    answer = field(doc, "answer")
    if (answer === undefined) return Result.fail("its TML has no answer")
  } else {
    const visualizations = field(field(doc, "liveboard"), "visualizations")
    const found = Array.isArray(visualizations)
      ? visualizations.filter((v) => String(field(v, "viz_guid") ?? "").toLowerCase() === viz.toLowerCase())
      : []
    if (found.length !== 1) return Result.fail(`its liveboard's TML has no visualization with viz_guid ${viz}`)
    answer = field(found[0], "answer")
  }
  const query = field(answer, "search_query")
  return typeof query === "string" ? Result.succeed(query) : Result.fail("its TML has no search_query")
}

/**
 * The order check of a saved answer, or with `viz` of that visualization of a liveboard: its saved query is read
 * from `tml` (see `savedTml`, SavedTml.ts) when its result is first found to span pages, and warned of as a search is
 * when it has no `sort by`; a query that cannot be read is a warning that its order could not be checked.
 */
export const savedOrder =
  (
    tml: Effect.Effect<Result.Result<string, string>>,
    kind: SavedKind,
    viz?: string,
    say: SettingNames = commandLineNames
  ): OrderCheck =>
  (total, pageSize) =>
    Effect.map(tml, (text) => {
      const query = Result.flatMap(text, (t) => savedQueryOf(t, viz))
      if (Result.isFailure(query)) return uncheckedOrderWarning(kind, query.failure, total, pageSize, say)
      return hasSortBy(query.success) ? undefined : unsortedSavedWarning(kind, total, pageSize, say)
    })
