/**
 * Runs queries for one sandbox instance and serializes data pages. Results are cached by query text (aggregated
 * ones are small; detail ones are lazy views), and rendered row ranges are kept in a small LRU bounded by bytes,
 * so repeated pages (retries, several clients) are served from memory while memory stays flat for any row count.
 */
import { type Calendar, type CustomCalendar, makeCalendar, type OrderIds } from "./Orders.ts"
import { parseQuery, type QueryError, type QueryPlan } from "./Query.ts"
import { type DataFormat, type ResultSet, renderRows, runPlan } from "./ResultSet.ts"

/** How many query results stay cached (the built-in answers and liveboards need about 15). */
const maxCachedResults = 64

/** Full pages kept rendered ahead of the last one served (see `Engine.lookAhead`). */
const lookAheadPages = 2

/** Page memory of at least this size is reused (smaller pages are cheap to allocate). */
const minRecycledBytes = 1 << 20
/** At most this many spare page buffers wait for reuse. */
const maxSpares = 2

/** Counters the engine exposes in the sandbox stats. */
export interface EngineStats {
  pagesRendered: number
  pageCacheHits: number
  lookAheadRenders: number
}

/** Query execution and page rendering for one (seed, rows, timezone, calendar, Order ID range). */
export class Engine {
  readonly seed: number
  /** The Orders table's row count; {@link addRows} grows it. */
  rows: number
  readonly calendar: Calendar
  readonly stats: EngineStats = { pagesRendered: 0, pageCacheHits: 0, lookAheadRenders: 0 }
  #lookAhead: string | undefined
  readonly #results = new Map<string, ResultSet | QueryError>()
  readonly #pages = new Map<string, Buffer>()
  /** The buffers in `#pages`, and how many responses still use each buffer lent by `page`. */
  readonly #cached = new Set<Buffer>()
  readonly #lent = new Map<Buffer, number>()
  /** Bytes per row of the last large page, by format and query. */
  readonly #rowBytes = new Map<string, number>()
  /** Memory of pages that left the LRU and are not in use, for the next render. */
  readonly #spares: Array<Buffer> = []
  /** Bytes held by the LRU: the whole memory behind each page. */
  #pageBytes = 0
  readonly #maxPageBytes: number

  constructor(
    seed: number,
    rows: number,
    timezone: string,
    customCalendar: CustomCalendar,
    orderIds: OrderIds = "beyond-2^53",
    maxPageBytes = 96 << 20
  ) {
    this.seed = seed
    this.rows = rows
    this.calendar = makeCalendar(timezone, customCalendar, orderIds)
    this.#maxPageBytes = maxPageBytes
  }

  /** Parses a search query string. */
  parse(text: string): QueryPlan | QueryError {
    return parseQuery(text)
  }

  /**
   * Adds `count` rows to the Orders table, as orders arriving between two reads: rows are a function of their
   * index, so the first `rows` stay as they were and the new ones have the next Order IDs. Results and pages are
   * cached by row count, so nothing computed before is served again.
   */
  addRows(count: number): void {
    this.rows += count
  }

  /** The result of a plan (computed once per distinct query text and row count). */
  result(plan: QueryPlan): ResultSet | QueryError {
    const key = `${this.rows}|${plan.text}`
    let r = this.#results.get(key)
    if (r === undefined) {
      r = runPlan(plan, this.seed, this.rows, this.calendar)
      // Bounded: arbitrary searchdata queries must not grow memory without limit.
      if (this.#results.size >= maxCachedResults) this.#results.delete(this.#results.keys().next().value!)
      this.#results.set(key, r)
    }
    return r
  }

  /**
   * Renders the pages after a full one in the background, so that a client paging sequentially (every exporter)
   * finds them ready: rendering then overlaps the client's own parsing instead of adding to it. A client that
   * keeps {@link lookAheadPages} requests in flight (the core client's default prefetch is 2) asks for the page
   * after next before that one is served, so that many are kept ready, rendered one at a time; only large pages
   * (≥ 10 000 rows) are worth it.
   */
  lookAhead(plan: QueryPlan, result: ResultSet, from: number, size: number, format: DataFormat): void {
    if (size < 10_000 || this.#lookAhead !== undefined) return
    for (let page = 0; page < lookAheadPages; page++) {
      const start = from + page * size
      const to = Math.min(result.rowCount, start + size)
      if (start >= to) return
      const key = this.#key(plan, start, to, format)
      if (this.#pages.has(key)) continue
      this.#lookAhead = key
      setImmediate(() => {
        this.#lookAhead = undefined
        if (!this.#pages.has(key)) {
          this.stats.lookAheadRenders++
          this.#page(plan, result, start, to, format)
        }
        this.lookAhead(plan, result, from, size, format)
      })
      return
    }
  }

  #key(plan: QueryPlan, from: number, to: number, format: DataFormat): string {
    return `${format}|${this.rows}|${from}|${to}|${plan.text}`
  }

  /**
   * The JSON text of rows [from, to) of a result, from the LRU when present. The buffer is lent: pass it to
   * `release` once its bytes have been handed to the socket, so that it can be reused after leaving the LRU (a
   * caller that never releases it just leaves it to the garbage collector).
   */
  page(plan: QueryPlan, result: ResultSet, from: number, to: number, format: DataFormat): Buffer {
    const bytes = this.#page(plan, result, from, to, format)
    this.#lent.set(bytes, (this.#lent.get(bytes) ?? 0) + 1)
    return bytes
  }

  /** Takes back a buffer lent by `page`. */
  release(bytes: Buffer): void {
    const n = this.#lent.get(bytes)
    if (n === undefined) return
    if (n > 1) this.#lent.set(bytes, n - 1)
    else {
      this.#lent.delete(bytes)
      if (!this.#cached.has(bytes)) this.#recycle(bytes)
    }
  }

  #page(plan: QueryPlan, result: ResultSet, from: number, to: number, format: DataFormat): Buffer {
    const key = this.#key(plan, from, to, format)
    const hit = this.#pages.get(key)
    if (hit !== undefined) {
      this.#pages.delete(key)
      this.#pages.set(key, hit)
      this.stats.pageCacheHits++
      return hit
    }
    // Size a fresh page from the last one of the same query and format (rows with Custom Calendar cells or FULL
    // keys are longer), so that the writer rarely grows (a copy); a spare clearly too small is dropped.
    const sizeKey = `${format}|${plan.text}`
    const rowBytes = this.#rowBytes.get(sizeKey) ?? 128
    const spare = this.#spares.pop()
    const fits = spare !== undefined && spare.length >= (to - from) * rowBytes
    const bytes = renderRows(result, from, to, format, fits ? spare : undefined, rowBytes * 1.125)
    if (to - from >= 1000) {
      if (this.#rowBytes.size >= maxCachedResults) this.#rowBytes.delete(this.#rowBytes.keys().next().value!)
      this.#rowBytes.set(sizeKey, bytes.length / (to - from))
    }
    this.stats.pagesRendered++
    if (bytes.length <= this.#maxPageBytes / 2) {
      this.#pages.set(key, bytes)
      this.#cached.add(bytes)
      this.#pageBytes += bytes.buffer.byteLength
      for (const [k, v] of this.#pages) {
        if (this.#pageBytes <= this.#maxPageBytes) break
        this.#pages.delete(k)
        this.#cached.delete(v)
        this.#pageBytes -= v.buffer.byteLength
        if (!this.#lent.has(v)) this.#recycle(v)
      }
    }
    return bytes
  }

  /**
   * Keeps the memory of a large page that nobody uses any more for the next render: writing into it neither
   * page-faults fresh memory nor adds to V8's external memory, whose growth by one 10 MB page after another
   * otherwise triggers a full garbage collection per page.
   */
  #recycle(bytes: Buffer): void {
    const memory = bytes.buffer
    if (memory.byteLength < minRecycledBytes || this.#spares.length >= maxSpares) return
    if (!(memory instanceof ArrayBuffer)) return
    this.#spares.push(Buffer.from(memory))
  }
}
