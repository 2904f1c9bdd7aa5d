/**
 * Finds the `data_rows` arrays of a data response in its bytes, so that they can be read in place (parsed in
 * pieces, or lent to a `Pagination.PageReader`).
 *
 * The envelope around them is small (counts, column names, ids); `data_rows` is nearly the whole body. This
 * walks the envelope's JSON structure (strings included, so no key is mistaken), hands each
 * `contents[i].data_rows` to `read` together with that item's `column_names` (which must come first, as
 * ThoughtSpot writes keys alphabetically), and returns the envelope text with every such array replaced by
 * `[]`: the caller parses and checks that small text as it would the whole body. Anything unexpected —
 * another shape, a duplicate key, column names after the rows, text cut short, a declined array — returns
 * `undefined`, and the caller parses the whole body instead (which refuses malformed text).
 *
 * Soundness: the envelope keeps every byte outside the replaced arrays, and `read` only accepts a valid JSON
 * array, so when the envelope parses, the whole body is valid JSON with those arrays where the walk found them.
 * Text outside the `data_rows` arrays must be valid UTF-8, or the body is not split (decoded whole, it gets
 * replacement characters). Inside an array the reader decides: one that copies bytes must refuse bytes that
 * are not UTF-8 (the rows transcoder names the cell), so that no cell is ever changed into U+FFFD unnoticed.
 */
import { isUtf8 } from "node:buffer"

/** What `read` returns for one `data_rows` array. */
export interface RowsRead<R> {
  readonly end: number
  readonly rowCount: number
  readonly rows: R
}

/**
 * The envelope text and, per `contents` item (by index), what `read` made of its `data_rows` and where that
 * array lies in the bytes (`[start, end)`).
 */
export interface SplitBody<R> {
  readonly envelope: string
  readonly items: ReadonlyArray<RowsRead<R> | undefined>
  readonly spans: ReadonlyArray<readonly [number, number] | undefined>
}

const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const COMMA = 44
const COLON = 58

const isSpace = (code: number | undefined): boolean => code === 32 || code === 10 || code === 13 || code === 9

/** Thrown inside the walk when the text is not shaped as expected; caught by {@link splitDataRows}. */
class Unexpected {}
const unexpected = new Unexpected()

const latin1 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", start, end)
const utf8 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8", start, end)

/** Splits the body `bytes` as described in the module comment, or `undefined`. */
export const splitDataRows = <R>(
  bytes: Uint8Array,
  read: (start: number, columnNames: ReadonlyArray<string>) => RowsRead<R> | undefined
): SplitBody<R> | undefined => walk(bytes, read, true)

/** The walk of {@link splitDataRows}; without `namesFirst`, `column_names` may come anywhere (`read` gets `[]`). */
const walk = <R>(
  bytes: Uint8Array,
  read: (start: number, columnNames: ReadonlyArray<string>) => RowsRead<R> | undefined,
  namesFirst: boolean
): SplitBody<R> | undefined => {
  // One native check; only a body with bytes that are not UTF-8 has its envelope checked piece by piece below.
  const valid = isUtf8(bytes)
  const length = bytes.length
  let pos = 0
  const spans: Array<readonly [number, number]> = []
  const items: Array<RowsRead<R> | undefined> = []
  const itemSpans: Array<readonly [number, number] | undefined> = []

  const skipSpace = (): void => {
    while (pos < length && isSpace(bytes[pos]!)) pos++
  }
  const expect = (code: number): void => {
    skipSpace()
    if (bytes[pos] !== code) throw unexpected
    pos++
  }
  /** Skips a string starting at `pos` (a quote); returns its raw text between the quotes. */
  const skipString = (): string => {
    const start = ++pos
    while (pos < length) {
      const code = bytes[pos]
      if (code === QUOTE) return latin1(bytes, start, pos++)
      pos += code === BACKSLASH ? 2 : 1
    }
    throw unexpected
  }
  /** A key (compared raw: an escaped spelling of a key we look for is treated as another key, harmlessly). */
  const readKey = (): string => {
    skipSpace()
    if (bytes[pos] !== QUOTE) throw unexpected
    const key = skipString()
    expect(COLON)
    skipSpace()
    return key
  }
  /** Skips any value: a string whole, a scalar up to its delimiter, a container up to its matching close. */
  const skipValue = (): void => {
    skipSpace()
    let depth = 0
    while (pos < length) {
      const code = bytes[pos]
      if (code === QUOTE) {
        skipString()
        if (depth === 0) return
        continue
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) return // a scalar ended by its parent's close
        depth--
        if (depth === 0) {
          pos++
          return
        }
      } else if (depth === 0 && (code === COMMA || isSpace(code))) return
      pos++
    }
    if (depth > 0) throw unexpected
  }
  /** Calls `member` for each key of the object at `pos`, which must consume the key's value. */
  const eachMember = (member: (key: string) => void): void => {
    expect(OPEN_BRACE)
    skipSpace()
    if (bytes[pos] === CLOSE_BRACE) {
      pos++
      return
    }
    for (;;) {
      member(readKey())
      skipSpace()
      const code = bytes[pos++]
      if (code === CLOSE_BRACE) return
      if (code !== COMMA) throw unexpected
    }
  }
  const item = (index: number): void => {
    let columnNames: ReadonlyArray<string> | undefined
    let seen = false
    eachMember((key) => {
      if (key === "column_names") {
        if (columnNames !== undefined) throw unexpected
        const start = pos
        skipValue()
        if (!valid && !isUtf8(bytes.subarray(start, pos))) throw unexpected
        const names: unknown = JSON.parse(utf8(bytes, start, pos))
        if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) throw unexpected
        columnNames = names
      } else if (key === "data_rows") {
        if (seen || (namesFirst && columnNames === undefined) || bytes[pos] !== OPEN_BRACKET) throw unexpected
        seen = true
        const result = read(pos, columnNames ?? [])
        if (result === undefined || result.end <= pos || result.end > length) throw unexpected
        spans.push([pos, result.end])
        items[index] = result
        itemSpans[index] = [pos, result.end]
        pos = result.end
      } else skipValue()
    })
  }
  try {
    let contentsSeen = false
    eachMember((key) => {
      if (key !== "contents") return skipValue()
      if (contentsSeen) throw unexpected
      contentsSeen = true
      expect(OPEN_BRACKET)
      skipSpace()
      if (bytes[pos] === CLOSE_BRACKET) {
        pos++
        return
      }
      for (let index = 0; ; index++) {
        items.push(undefined)
        itemSpans.push(undefined)
        item(index)
        skipSpace()
        const code = bytes[pos++]
        if (code === CLOSE_BRACKET) return
        if (code !== COMMA) throw unexpected
      }
    })
  } catch (error) {
    if (error === unexpected || error instanceof SyntaxError) return undefined
    throw error
  }
  let envelope = ""
  let from = 0
  for (const [start, end] of spans) {
    if (!valid && !isUtf8(bytes.subarray(from, start))) return undefined
    envelope += `${utf8(bytes, from, start)}[]`
    from = end
  }
  if (!valid && !isUtf8(bytes.subarray(from, length))) return undefined
  envelope += utf8(bytes, from, length)
  return { envelope, items, spans: itemSpans }
}

/** The end of the JSON array starting at `bytes[start]` (a `[`), skipping strings; -1 if it does not end. */
const arrayEnd = (bytes: Uint8Array, start: number): number => {
  let depth = 0
  for (let pos = start; pos < bytes.length; pos++) {
    const code = bytes[pos]
    if (code === QUOTE) {
      for (pos++; pos < bytes.length && bytes[pos] !== QUOTE; pos++) if (bytes[pos] === BACKSLASH) pos++
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) depth++
    else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && --depth === 0) return pos + 1
  }
  return -1
}

/**
 * Where each `contents` item's `data_rows` array lies in the body, by the same walk as {@link splitDataRows}
 * without reading the rows (for a body parsed whole); `undefined` where it cannot say. Only valid JSON is
 * located correctly, so call it for a body that parsed.
 */
export const dataRowsSpans = (bytes: Uint8Array): ReadonlyArray<readonly [number, number] | undefined> =>
  splitDataRows(bytes, (start) => {
    const end = arrayEnd(bytes, start)
    return end < 0 ? undefined : { end, rowCount: 0, rows: undefined }
  })?.spans ?? []

/**
 * Where each `contents` item's `data_rows` array lies in the body, and the envelope text around them (each array
 * replaced by `[]`), without reading the rows: for handing a page's bytes to a reader. `undefined` when the body
 * is not shaped as expected (see {@link splitDataRows}; here `column_names` may come after `data_rows`).
 *
 * Finding where an array ends takes a walk of all its bytes (~20 ms for a 100 000-row page in JavaScript, as
 * much as a tenth of transcoding it). With `guess`, for a body that holds one page (every data request but a
 * liveboard's over several visualizations), the array is taken to end at the body's last `]]` (rows are arrays,
 * so a non-empty array ends with `]]`; what follows it is the short tail of the envelope, found with one native
 * search from the end): a guess that the caller must confirm by parsing the envelope (a `]]` inside a string of
 * the tail leaves it unparsable) and, when the rows are read, by their array ending exactly there (a body of
 * several pages would make the guess reach over all of them: rows that do not end there are refused). Locate
 * again without `guess` when the envelope does not parse.
 */
export const locateDataRows = (bytes: Uint8Array, guess: boolean): SplitBody<undefined> | undefined => {
  let guessed = false
  return walk(
    bytes,
    (start) => {
      if (!guess) {
        const end = arrayEnd(bytes, start)
        return end < 0 ? undefined : { end, rowCount: 0, rows: undefined }
      }
      if (guessed) return undefined
      guessed = true
      let first = start + 1
      while (isSpace(bytes[first])) first++
      if (bytes[first] === CLOSE_BRACKET) return { end: first + 1, rowCount: 0, rows: undefined }
      const last = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(ROWS_END)
      return last > start ? { end: last + 2, rowCount: 0, rows: undefined } : undefined
    },
    false
  )
}

const ROWS_END = Buffer.from("]]")

/** Where {@link findDeepCell} found a cell nested too deep: the row's index in its page and the column's name. */
export interface DeepCell {
  readonly row: number
  readonly column: string
}

/**
 * The first cell of the body's `data_rows` nested deeper than `maxDepth` levels (a cell `[[1]]` has two), found
 * by scanning the bytes with a counter (no recursion, so any depth is fine); `undefined` if there is none or the
 * body is not shaped as {@link splitDataRows} expects. For the error message only: it walks the whole body.
 */
export const findDeepCell = (bytes: Uint8Array, maxDepth: number): DeepCell | undefined => {
  let found: DeepCell | undefined
  splitDataRows(bytes, (start, columnNames) => {
    const scan = scanDepth(bytes, start, columnNames, maxDepth)
    found = scan.deep
    return scan.end === undefined ? undefined : { end: scan.end, rowCount: 0, rows: undefined }
  })
  return found
}

/**
 * The first cell of the `data_rows` array at `bytes[start]` nested deeper than `maxDepth` levels (see
 * {@link findDeepCell}), `undefined` if there is none.
 */
export const deepCellAt = (
  bytes: Uint8Array,
  start: number,
  columnNames: ReadonlyArray<string>,
  maxDepth: number
): DeepCell | undefined => scanDepth(bytes, start, columnNames, maxDepth).deep

const scanDepth = (
  bytes: Uint8Array,
  start: number,
  columnNames: ReadonlyArray<string>,
  maxDepth: number
): { readonly deep?: DeepCell; readonly end?: number } => {
  let depth = 0
  let row = -1
  let column = 0
  for (let pos = start; pos < bytes.length; pos++) {
    const code = bytes[pos]
    if (code === QUOTE) {
      for (pos++; pos < bytes.length && bytes[pos] !== QUOTE; pos++) if (bytes[pos] === BACKSLASH) pos++
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth++
      if (depth === 2) {
        row++
        column = 0
      } else if (depth > maxDepth + 2) return { deep: { row, column: columnNames[column] ?? `#${column + 1}` } }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      if (--depth === 0) return { end: pos + 1 }
    } else if (code === COMMA && depth === 2) column++
  }
  return {}
}
