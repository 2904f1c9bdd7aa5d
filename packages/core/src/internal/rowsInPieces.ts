/**
 * Parses a page's `data_rows` array from the body's bytes in pieces of a few dozen KB, so that no page-sized
 * string is ever made.
 *
 * Why: a 100 000-row page is several MB of text. Decoded whole, it is one page-sized string that Node keeps
 * outside V8's heap (an external string). V8 frees such strings only when it collects the object that
 * holds them, and counts them against their own allowance, so on a long read several dead page texts pile up
 * (~60–90 MB of peak RSS) and force extra full collections. Pieces are small ordinary strings that die young.
 *
 * How: from the start of the rows, look a piece's length ahead for the next `],[` and parse everything before
 * it, the `]` included, wrapped in `[`…`]`. The parse succeeds exactly when the cut lies between two rows:
 * the piece starts at a row, so a cut inside a string leaves that string unterminated, a cut inside a row or
 * a cell (a nested array or object) leaves it unclosed, and a cut past the end of the rows leaves text after
 * the closed array — `JSON.parse` refuses all three. On a refusal the array may end before the cut, else the
 * next `],[` is tried (a longer piece). The array ends at the first `]]` whose first `]` ends a piece that
 * parses the same way; the second one then closes the array. (A `]]` is only tried when no cut is left or the
 * cut was refused, so `]]` inside strings costs nothing while cuts succeed.) So the array is valid JSON exactly
 * when every piece parses, and each row is checked to be an array of the page's width. Anything else (no `],[`
 * or `]]` where expected, e.g. whitespace between rows; too many refusals; a row of another width; a number
 * beyond a double's range) declines, and the caller parses the whole body, which refuses or reports it as usual.
 *
 * Integers beyond 2^53 stay exact: each piece goes through `parseJsonExact`.
 */
import { isAscii, isUtf8 } from "node:buffer"
import type { Rows } from "../Pagination.ts"
import { MAX_NESTING, NestingTooDeep, parseJsonExact } from "./bigJson.ts"
import type { RowsRead } from "./splitDataRows.ts"

/** Bytes a piece reaches before it looks for its end: small enough to stay an ordinary young string. */
const PIECE_BYTES = 64 * 1024
/** Cuts refused per array before giving up on pieces (each costs a parse of at most a piece and a bit). */
const MAX_REFUSALS = 32
const ROW_BREAK = Buffer.from("],[")
const ROWS_END = Buffer.from("]]")
/** `close` before the search for the array's end. */
const NOT_SEARCHED = -2
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93

const isSpace = (code: number | undefined): boolean => code === 32 || code === 10 || code === 13 || code === 9

/** Thrown by `parsePiece` for bytes that are not UTF-8; declines the array. */
const notUtf8 = Symbol("notUtf8")

/** Reused for pieces of ordinary size (only within one synchronous parse, so sharing it is safe). */
const scratch = Buffer.allocUnsafe(2 * PIECE_BYTES)

/** Levels a piece may have: its own array, a row, and a cell of at most `MAX_NESTING` levels. */
const PIECE_DEPTH = MAX_NESTING + 2

/**
 * Parses `[` + `body[from, to)` + `]` exactly; `undefined` if it is not valid JSON. Other errors (a number
 * beyond a double's range, a cell nested too deep) propagate: the array is then declined, and the whole-body
 * parse reports them.
 */
const parsePiece = (body: Buffer, from: number, to: number): unknown => {
  const length = to - from + 2
  const buffer = length <= scratch.length ? scratch : Buffer.allocUnsafe(length)
  buffer[0] = OPEN_BRACKET
  body.copy(buffer, 1, from, to)
  buffer[length - 1] = CLOSE_BRACKET
  const bytes = buffer.subarray(0, length)
  // Most pieces of most data are ASCII, and then their latin1 reading is their text, much cheaper to make than
  // a UTF-8 decode (a one-off 10 M-row read that decoded every piece as UTF-8 took ~25 % more CPU).
  const ascii = isAscii(bytes)
  // Bytes that are not UTF-8 would decode to replacement characters: the array is declined (see splitDataRows).
  if (!ascii && !isUtf8(bytes)) throw notUtf8
  try {
    return ascii
      ? parseJsonExact(bytes.toString("latin1"), { rejectOutOfRange: true, maxDepth: PIECE_DEPTH })
      : parseJsonExact(bytes.toString("utf8"), { rejectOutOfRange: true, bytes, maxDepth: PIECE_DEPTH })
  } catch (error) {
    // Only a parse that succeeded finds the nesting too deep: the cut was right, the data is refused.
    if (error instanceof SyntaxError && !(error instanceof NestingTooDeep)) return undefined
    throw error
  }
}

/** The pieces' rows as one array (spread in batches: a call takes a bounded number of arguments). */
const joined = (pieces: ReadonlyArray<Array<ReadonlyArray<unknown>>>): Rows => {
  if (pieces.length === 1) return pieces[0]!
  let rows: Array<ReadonlyArray<unknown>> = []
  for (let i = 0; i < pieces.length; i += 4096) rows = rows.concat(...pieces.slice(i, i + 4096))
  return rows
}

/**
 * Reads the `data_rows` array starting at `bytes[start]` (a `[`) as rows of `width` cells, or `undefined`
 * (declined: see the module comment; bytes that are not UTF-8 decline it too). `pieceBytes` is for tests (many cuts in
 * little data).
 */
export const readRowsInPieces = (
  bytes: Uint8Array,
  start: number,
  width: number,
  pieceBytes = PIECE_BYTES
): RowsRead<Rows> | undefined => {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The pieces' own arrays, joined once at the end by one native copy. Pushing each row into a growing
  // page-sized array cost far more than the copy: that array soon lives in the old generation, so every young
  // row stored into it is recorded for the next scavenge (10 M rows with the lean flags: 12.0 → 8.8 s of CPU).
  const pieces: Array<Array<ReadonlyArray<unknown>>> = []
  let rowCount = 0
  let pos = start + 1
  let first = pos
  while (isSpace(body[first])) first++
  if (body[first] === CLOSE_BRACKET) return { end: first + 1, rowCount: 0, rows: [] }

  /**
   * Parses the piece `[from, to)` and keeps its rows: true; false if the parse refused the cut; `undefined` if a
   * row is not an array of `width` cells (the array is then declined).
   */
  const take = (from: number, to: number): boolean | undefined => {
    const parsed = parsePiece(body, from, to)
    if (parsed === undefined) return false
    const piece = parsed as Array<ReadonlyArray<unknown>>
    for (let i = 0; i < piece.length; i++) {
      const row: unknown = piece[i]
      if (!Array.isArray(row) || row.length !== width) return undefined
    }
    pieces.push(piece)
    rowCount += piece.length
    return true
  }

  let refusals = 0
  let cut = body.indexOf(ROW_BREAK, pos + pieceBytes)
  /** The next `]]` at or after `pos`: -1 if there is none, NOT_SEARCHED until needed. */
  let close = NOT_SEARCHED
  try {
    for (;;) {
      if (cut !== -1) {
        const taken = take(pos, cut + 1)
        if (taken === undefined) return undefined
        if (taken) {
          pos = cut + 2
          // Every `]]` before the cut was inside those rows.
          if (close >= 0 && close < pos) close = NOT_SEARCHED
          cut = body.indexOf(ROW_BREAK, pos + pieceBytes)
          continue
        }
        if (++refusals > MAX_REFUSALS) return undefined
      }
      // No cut left, or the cut was refused (inside a string or a cell, or past the array's end): the array may
      // end before it, at a `]]`.
      if (close === NOT_SEARCHED) close = body.indexOf(ROWS_END, pos)
      while (close !== -1 && (cut === -1 || close < cut)) {
        const taken = take(pos, close + 1)
        if (taken === undefined) return undefined
        if (taken) return { end: close + 2, rowCount, rows: joined(pieces) }
        if (++refusals > MAX_REFUSALS) return undefined
        close = body.indexOf(ROWS_END, close + 1)
      }
      if (cut === -1) return undefined
      cut = body.indexOf(ROW_BREAK, cut + 1)
    }
  } catch {
    return undefined
  }
}
