/**
 * Whether a search's result has a fixed order, and what to say when it has none. Each data page is a query of its
 * own on the cluster, so a result read in several pages is complete and free of repeats only when its order is
 * fixed by a `sort by`. The query string is read as ThoughtSpot's search tokens: `[Column]` references (a bucket
 * such as `.monthly` or `.'day of week'` after them) and quoted values are skipped whole, so a `sort by` inside a
 * column name (`[sort by x]`) or a value (`'sort by'`) does not count; only the words `sort by` followed by a
 * `[Column]` do. A quote left open takes the rest of the query, so text that cannot be read for certain never
 * counts as a sort. Whether the sort's columns make each row unique is not known here (it depends on the data).
 */

/** A search token: a `[Column]` reference, a quoted value, or a bare word (lowercased: tokens ignore case). */
type Token = { readonly kind: "column" } | { readonly kind: "value" } | { readonly kind: "word"; readonly word: string }

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

const tokensOf = (query: string): ReadonlyArray<Token> => {
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

/**
 * The warning for a search without `sort by` whose result spans several pages: what happened, why it matters and
 * what to do. `available` is the source's row count, when it gives one.
 */
export const unsortedWarning = (available: number | undefined, pageSize: number): string => {
  const read =
    available === undefined
      ? "its result is read in several pages"
      : `its ${available} rows are read in ${Math.ceil(available / pageSize)} pages of ${pageSize}`
  return `the search query has no "sort by" and ${read}: each page is a query of its own on the cluster, so without a fixed order rows can be repeated or missing; add a sort by on columns that make each row unique (… sort by [Order ID])`
}
