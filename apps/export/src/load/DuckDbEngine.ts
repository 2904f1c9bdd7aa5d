/**
 * Loads into an embedded DuckDB database file. DuckDB reads the files itself — `read_csv` / `read_json` with every
 * column's type given from the manifest (no sniffing, no guessed types), `read_parquet` for Parquet outputs — so
 * the data never passes through JavaScript. DuckDB's JSON reader changes some numbers as it parses them: `-0`
 * becomes 0, a number in a text column is written again its own way (`1e-7` as `1e-07`), and so is a list's JSON
 * array (`\u001F` for `\u001f`). So an NDJSON file's text columns are read as JSON and must hold strings (or
 * booleans), a list with such an escape is an error, and the hash of the file looks for a bare `-0` as it goes; a
 * file with any of them is read again from a temporary CSV copy made exactly, as for PostgreSQL (NdjsonToCsv.ts). `@duckdb/node-api` is native: it is imported only when a load runs, with a message that says
 * what to install when it is missing.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { pipeline } from "node:stream/promises"
import { fileURLToPath } from "node:url"
import { columnKindOf } from "../formats/ColumnKinds.ts"
import { varcharList } from "../formats/RowRenderer.ts"
import { shellWord } from "../Interruption.ts"
import { engineMessage, LoadAgain, type LoadEngine, LoadFailure, temporaryTable } from "./Engine.ts"
import { fileStamp, hashingStream, verifyFile } from "./FileCheck.ts"
import { ndjsonToCsv } from "./NdjsonToCsv.ts"
import type { LoadOutput } from "./RunManifest.ts"
import { duckDbNameKey, quoteIdent, quoteLiteral, sqlType } from "./Warehouse.ts"

/** DuckDB's package at the version spotpipe is built and tested with: what to install for DuckDB loads. */
export const duckDbPackage = "@duckdb/node-api@1.5.6-r.1"

/**
 * The npm command that installs DuckDB beside the spotpipe whose file is `modulePath` (its bundle), read from where
 * npm put it: `P/lib/node_modules/spotpipe/…` is a global install under the prefix P (`npm install -g --prefix P`:
 * a plain `-g` goes to npm's default prefix, which may be another one); `P/node_modules/spotpipe/…` a project's
 * (on Windows, where a global install has no `lib`, `-g --prefix P` puts it in `P\node_modules` either way).
 * `undefined` elsewhere (a checkout's sources).
 */
export const duckDbInstallCommand = (
  modulePath: string,
  platform: NodeJS.Platform = process.platform
): string | undefined => {
  const path = platform === "win32" ? modulePath.replaceAll("\\", "/") : modulePath
  const prefix = (match: RegExpExecArray | null) => (match === null ? undefined : modulePath.slice(0, match[1]!.length))
  const global = prefix(
    (platform === "win32" ? /^(.+)\/node_modules\/spotpipe\//i : /^(.+)\/lib\/node_modules\/spotpipe\//).exec(path)
  )
  if (global !== undefined) return `npm install -g --prefix ${shellWord(global)} ${duckDbPackage}`
  const project = prefix(/^(.+)\/node_modules\/spotpipe\//.exec(path))
  return project === undefined ? undefined : `npm install --prefix ${shellWord(project)} ${duckDbPackage}`
}

/** How to install DuckDB beside this spotpipe: the command for where it is installed, else both ways. */
export const duckDbInstallHint = (): string => {
  const command = duckDbInstallCommand(fileURLToPath(import.meta.url))
  return command !== undefined
    ? `install it beside spotpipe: ${command}`
    : `install it where spotpipe is installed — npm install -g ${duckDbPackage} beside a global spotpipe, or npm install ${duckDbPackage} in the project that has it`
}

/** Why `purpose` (e.g. "loading into DuckDB") cannot run without DuckDB, and what to install. */
export const duckDbMissing = (purpose: string): string =>
  `${purpose} needs the @duckdb/node-api package (native, so not inside spotpipe), which is not installed: ${duckDbInstallHint()}`

const importDuckDb = async () => {
  try {
    return await import("@duckdb/node-api")
  } catch {
    throw new LoadFailure(duckDbMissing("loading into DuckDB"))
  }
}

/** Whether DuckDB's package is installed beside spotpipe (the demo loads into DuckDB only then). */
export const duckDbInstalled = (): Promise<boolean> =>
  importDuckDb().then(
    () => true,
    () => false
  )

/** A file spotpipe wrote, as DuckDB reads it. */
type DuckDbFile = Pick<LoadOutput, "path" | "format" | "columns" | "nullString" | "bytes">

/** The longest CSV line DuckDB reads when told to (it fails to allocate its buffers above about 2^31 bytes). */
const maxLineSize = 1_000_000_000

/** DuckDB's default `maximum_object_size` of `read_json` (it reads an object up to about twice that long). */
const defaultObjectSize = 16_777_216

/** What an NDJSON file's CSV copy writes for a null: every string is quoted there, so no value reads as it. */
const stagedNull = "\\N"

/**
 * The error a read of an NDJSON file raises at a cell DuckDB's JSON reader would write otherwise than the file has
 * it: the file is read again from a CSV copy.
 */
const rewritten = "spotpipe: DuckDB's JSON reader would write this cell otherwise"

/**
 * How an NDJSON file's column is read: a text column as JSON, taking its string, or `true`/`false`, else an error
 * (see {@link rewritten}: DuckDB would write a number in its own way); a list of text (`VARCHAR[]`) as the text of
 * its JSON array, which DuckDB writes again, the same but for a control character's `\u001F` (uppercase where
 * the file has `\u001f`): such a cell is an error too (so may be a text holding those six characters, which costs
 * only the exact read).
 */
const ndjsonColumn = (name: string, type: string | null): { readonly type: string; readonly select: string } => {
  const q = quoteIdent(name)
  const fail = `error(${quoteLiteral(rewritten)})`
  if (type === varcharList) {
    return {
      type: "VARCHAR",
      select: `CASE WHEN regexp_matches(${q}, '\\\\u00[01][A-F]') THEN ${fail} ELSE ${q} END AS ${q}`
    }
  }
  if (columnKindOf(type) !== "text") return { type: sqlType("duckdb", type), select: q }
  return {
    type: "JSON",
    select: `CASE WHEN ${q} IS NULL THEN NULL WHEN starts_with(CAST(${q} AS VARCHAR), '"') THEN json_extract_string(${q}, '$') WHEN CAST(${q} AS VARCHAR) IN ('true', 'false') THEN CAST(${q} AS VARCHAR) ELSE ${fail} END AS ${q}`
  }
}

/**
 * The `read_…` table function that reads `output` with the manifest's column types; `lineLimit`, for a file with a
 * line longer than DuckDB reads by default (a CSV line over 2,000,000 bytes, an NDJSON row over about 32 MiB), is
 * the longest line it is told to read: CSV's `max_line_size`, NDJSON's `maximum_object_size` (they cost DuckDB
 * speed or memory, so they are only set for a file that needs them). `staged`: an NDJSON output's CSV copy, read
 * instead of the file (see {@link stageNdjson}).
 */
export const duckDbSource = (
  output: DuckDbFile,
  lineLimit?: number,
  newline?: "\r\n" | "\n",
  staged?: string
): string => {
  const path = quoteLiteral(output.path)
  const columns = `{${output.columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(sqlType("duckdb", c.type))}`).join(", ")}}`
  const select = output.columns.map((c) => quoteIdent(c.name)).join(", ")
  const lineSize = lineLimit === undefined ? "" : `, max_line_size = ${lineLimit}`
  switch (output.format) {
    case "csv": {
      // An empty field is NULL unless the run wrote nulls as its own text (then an empty field is an empty string).
      const nulls =
        output.nullString === undefined
          ? "nullstr = ''"
          : `nullstr = ${quoteLiteral(output.nullString)}, allow_quoted_nulls = false`
      // The file's own line end: left to DuckDB, a line break inside a quoted header name (a column named with one)
      // makes it take that for the file's, and it reads no row at all.
      const lineEnd = newline === undefined ? "" : `, new_line = ${newline === "\r\n" ? "'\\r\\n'" : "'\\n'"}`
      return `SELECT ${select} FROM read_csv(${path}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ${nulls}${lineSize}${lineEnd}, columns = ${columns})`
    }
    case "ndjson": {
      if (staged !== undefined) {
        // No header; a null is an unquoted \N and every string is quoted (a quoted \N is text); rows end with \n.
        return `SELECT ${select} FROM read_csv(${quoteLiteral(staged)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = ${quoteLiteral(stagedNull)}, allow_quoted_nulls = false, new_line = '\\n'${lineSize}, columns = ${columns})`
      }
      const objectSize = lineLimit === undefined ? "" : `, maximum_object_size = ${lineLimit}`
      const read = output.columns.map((c) => ndjsonColumn(c.name, c.type))
      const typed = `{${output.columns.map((c, i) => `${quoteLiteral(c.name)}: ${quoteLiteral(read[i]!.type)}`).join(", ")}}`
      return `SELECT ${read.map((r) => r.select).join(", ")} FROM read_json(${path}, format = 'newline_delimited', records = true${objectSize}, columns = ${typed})`
    }
    case "parquet":
      return `SELECT ${select} FROM read_parquet(${path})`
  }
}

/**
 * How the CSV file at `path` ends its lines, read from its header (quoted line breaks are a name's): `\r\n` or
 * `\n`; `undefined` when the header has no line end.
 */
export const csvLineEnd = async (path: string): Promise<"\r\n" | "\n" | undefined> => {
  let quoted = false
  let previous = 0
  for await (const chunk of NodeFs.createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 34) quoted = !quoted
      else if (byte === 10 && !quoted) return previous === 13 ? "\r\n" : "\n"
      previous = byte
    }
  }
  return undefined
}

/**
 * Looks for a bare `-0` value in NDJSON bytes fed a chunk at a time (`"x":-0,` or `…:-0}`; as text it may be a
 * false alarm, which only costs the exact read): DuckDB's JSON reader reads it as 0.
 */
const negativeZeroSearch = () => {
  const token = Buffer.from(":-0")
  let found = false
  let tail = Buffer.alloc(0)
  const holds = (bytes: Buffer): boolean => {
    for (let at = bytes.indexOf(token); at !== -1; at = bytes.indexOf(token, at + 1)) {
      const next = bytes[at + token.length]
      if (next === 44 || next === 125) return true
    }
    return false
  }
  return {
    update: (chunk: Buffer): void => {
      if (found) return
      // A token cut by the chunk's start: the last bytes of the one before with the first of this one.
      found = holds(Buffer.concat([tail, chunk.subarray(0, token.length)])) || holds(chunk)
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - token.length)))
    },
    found: (): boolean => found
  }
}

/** The length in bytes of the longest line of the file at `path` (its newlines found by `indexOf`, a chunk at a time). */
const longestLine = async (path: string): Promise<number> => {
  let longest = 0
  let current = 0
  for await (const chunk of NodeFs.createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, from)) {
      longest = Math.max(longest, current + at - from)
      current = 0
      from = at + 1
    }
    current += chunk.length - from
  }
  return Math.max(longest, current)
}

/** An NDJSON file's CSV copy: its path, the longest line DuckDB is told to read in it (if over its default), and how to remove it. */
interface StagedCsv {
  readonly path: string
  readonly lineLimit: number | undefined
  readonly remove: () => void
}

/** The longest CSV line DuckDB reads by default (`max_line_size`). */
const defaultLineSize = 2_000_000

/**
 * Writes `output`'s NDJSON file as CSV into a new folder of the system's temporary folder, exactly (NdjsonToCsv.ts),
 * hashing the file on the way: a file that is not the manifest's, or a line that is not a row of its columns, fails
 * here, before DuckDB reads anything. `signal` stops it (an interrupted load).
 */
const stageNdjson = async (output: LoadOutput, signal: AbortSignal): Promise<StagedCsv> => {
  const folder = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-"))
  const remove = () => NodeFs.rmSync(folder, { recursive: true, force: true })
  const path = NodePath.join(folder, "rows.csv")
  const convert = ndjsonToCsv(
    output.columns.map((c) => c.name),
    stagedNull
  )
  try {
    await pipeline(
      NodeFs.createReadStream(output.path, { highWaterMark: 1 << 20 }),
      hashingStream(output),
      convert,
      NodeFs.createWriteStream(path, { highWaterMark: 1 << 20 }),
      { signal }
    )
    // Known from the copy, so DuckDB is told at once (a long quoted value it reads as an unterminated quote).
    const longest = convert.longestRow() * 3 + 2
    return { path, lineLimit: longest > defaultLineSize ? Math.min(longest, maxLineSize) : undefined, remove }
  } catch (error) {
    remove()
    if (error instanceof LoadFailure) throw error
    throw new LoadFailure(`${output.file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * The DuckDB database `file` is open in another process, which DuckDB names by its pid (and program): DuckDB lets
 * one process write a database file at a time.
 */
export class DuckDbHeld extends LoadFailure {
  readonly file: string
  readonly pid: number
  /** The holder's program as DuckDB names it (`/usr/bin/node`), or empty. */
  readonly program: string
  constructor(file: string, pid: number, program: string) {
    super(
      `cannot open the DuckDB database ${file}: another process has it open (PID ${pid}): wait for that process to end, then load again`
    )
    this.file = file
    this.pid = pid
    this.program = program
  }
}

/**
 * The process DuckDB's lock error names: `… Conflicting lock is held in /usr/bin/node (PID 2070) …`, or `… held in
 * PID 0 …` when the holder is no process of this machine's (of another pid namespace, or over a network file system).
 */
export const lockHolder = (message: string): { readonly pid: number; readonly program: string } | undefined => {
  const held = /Could not set lock on file[\s\S]*?held in (?:(.*?) \(PID (\d+)\)|PID (\d+))/.exec(message)
  return held === null ? undefined : { pid: Number(held[2] ?? held[3]), program: held[1] ?? "" }
}

/**
 * Whether the process DuckDB names as `held`'s holder runs on this machine, so that a load can wait for it. On a
 * shared volume the pid is another host's (or 0): one not running here, or running here without the file open (a
 * process of that number that is another one), is not this machine's. A process whose open files cannot be read
 * (another user's) counts as the holder: DuckDB found its lock here.
 */
export const heldHere = (held: DuckDbHeld): boolean => {
  if (held.pid <= 0) return false
  try {
    process.kill(held.pid, 0)
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EPERM") return false
  }
  let descriptors: ReadonlyArray<string>
  try {
    descriptors = NodeFs.readdirSync(`/proc/${held.pid}/fd`)
  } catch {
    return true // no /proc (macOS), or not ours to read
  }
  const wanted = new Set([NodePath.resolve(held.file)])
  try {
    wanted.add(NodeFs.realpathSync(held.file))
  } catch {
    // gone already: the holder is about to end
  }
  return descriptors.some((fd) => {
    try {
      return wanted.has(NodeFs.readlinkSync(`/proc/${held.pid}/fd/${fd}`))
    } catch {
      return false
    }
  })
}

/** The names DuckDB opens as a read-only view of that file (a CSV, Parquet or JSON file), not as a database. */
const readOnlyNames = /\.(csv|tsv|parquet|json|ndjson|jsonl)(\.(gz|zst))?$/i

/** DuckDB's file magic: "DUCK" after the header's 8-byte checksum. */
const duckDbMagic = Buffer.from("DUCK")

/**
 * Why `file` cannot be a load's DuckDB database, or `undefined`. DuckDB opens a data file (or a new path with such a
 * name) as a read-only view of it: a load into it would report rows that were saved nowhere.
 */
export const duckDbTargetProblem = (file: string): string | undefined => {
  const advice = "give a DuckDB database file (e.g. duckdb:warehouse.duckdb)"
  const stat = NodeFs.statSync(file, { throwIfNoEntry: false })
  if (stat === undefined) {
    if (NodeFs.existsSync(`${file}.wal`) || !readOnlyNames.test(file)) return undefined
    return `duckdb:${file}: DuckDB reads a file of that name as data, it does not write a database into it: ${advice}`
  }
  if (!stat.isFile()) return undefined
  const head = Buffer.alloc(12)
  const fd = NodeFs.openSync(file, "r")
  let read: number
  try {
    read = NodeFs.readSync(fd, head, 0, head.length, 0)
  } finally {
    NodeFs.closeSync(fd)
  }
  // Another process creating the database this moment may not have written its header yet (see openDuckDb).
  if (read < head.length && justMade(file)) return undefined
  if (read === head.length && head.subarray(8).equals(duckDbMagic)) return undefined
  return `duckdb:${file} is there and is not a valid DuckDB database file (a load would not save its rows in it): ${advice}, a new one or one spotpipe loaded into`
}

/** How often, and how many times, a file another process is creating this moment is opened again (2 s in all). */
const creatingPollMillis = 100
const creatingAttempts = 20

/** `file` was made moments ago (another process may still be writing a new database's header into it). */
const justMade = (file: string): boolean => {
  const stat = NodeFs.statSync(file, { throwIfNoEntry: false })
  return stat !== undefined && Date.now() - stat.mtimeMs < 2_000
}

/**
 * Opens (or creates) the DuckDB database `file`. A file it created is removed again on close when no table's
 * load was committed in it (a load refused or failed at its first table leaves no empty database behind); a
 * file that was there before is never removed.
 */
export const openDuckDb = async (file: string): Promise<LoadEngine> => {
  const { DuckDBInstance } = await importDuckDb()
  const problem = duckDbTargetProblem(file)
  if (problem !== undefined) throw new LoadFailure(problem)
  // DuckDB keeps its write-ahead log beside the file: a database that existed may be only that log.
  const created = !NodeFs.existsSync(file) && !NodeFs.existsSync(`${file}.wal`)
  let committed = false
  let instance: Awaited<ReturnType<typeof DuckDBInstance.create>> | undefined
  for (let attempt = 1; instance === undefined; attempt++) {
    try {
      instance = await DuckDBInstance.create(file)
    } catch (error) {
      const message = (error as Error).message
      // Another process creating the file this moment (a shard's load) has not written its header yet: a moment
      // later the file is a database, held by that process (said below), or still invalid (then refused).
      if (attempt < creatingAttempts && /not a valid DuckDB database file/.test(message) && justMade(file)) {
        await new Promise((resolve) => setTimeout(resolve, creatingPollMillis))
        continue
      }
      // DuckDB lets one process write a database file at a time.
      const holder = lockHolder(message)
      if (holder === undefined) throw new LoadFailure(`cannot open the DuckDB database ${file}: ${message}`)
      throw new DuckDbHeld(file, holder.pid, holder.program)
    }
  }
  const connection = await instance.connect()
  // The files that have a line longer than DuckDB's default limit, learned from a first read that failed, with the
  // limit they are read with.
  const lineLimits = new Map<string, number>()
  // The NDJSON files DuckDB's JSON reader would change a value of: read from a CSV copy (see the module comment).
  const readAsCsv = new Set<string>()
  // An interrupted load stops making a copy too.
  const stopped = new AbortController()
  const exec = async (sql: string) => {
    await connection.run(sql)
    if (sql === "COMMIT") committed = true
  }
  /**
   * What holds the name `name` in the target's schema, as DuckDB compares names (ignoring ASCII case: a table
   * `Orders` is the table `orders` means), with its own spelling and `information_schema` type.
   */
  const relationNamed = async (name: string): Promise<{ name: string; type: string } | undefined> => {
    // The name as its bytes, as in `columnsOf`.
    const result = await connection.runAndReadAll(
      `SELECT hex(encode(table_name)), table_type FROM information_schema.tables WHERE table_schema = current_schema() AND lower(table_name) = lower(${quoteLiteral(name)})`
    )
    const found = result
      .getRows()
      .map((r) => ({ name: Buffer.from(String(r[0]), "hex").toString("utf8"), type: String(r[1]) }))
      .find((r) => duckDbNameKey(r.name) === duckDbNameKey(name))
    return found
  }
  /** Reads `output` (or `staged`, its CSV copy) into `table` (see {@link LoadEngine.copy}); `before`: its stamp. */
  const copyInto = async (
    table: string,
    output: LoadOutput,
    into: "existing" | "create" | "temporary",
    before: string,
    staged: StagedCsv | undefined
  ): Promise<number> => {
    const target = into === "temporary" ? temporaryTable("duckdb", table) : quoteIdent(table)
    const lineEnd = output.format === "csv" ? await csvLineEnd(output.path) : undefined
    const source = duckDbSource(
      output,
      staged === undefined ? lineLimits.get(output.path) : staged.lineLimit,
      lineEnd,
      staged?.path
    )
    // CREATE TABLE … AS writes a new table about twice as fast as INSERT; the typed source fixes its types. An
    // INSERT names the columns: the table's may be in another order, or more (NULL in the rows added).
    const sql =
      into === "existing"
        ? `INSERT INTO ${quoteIdent(table)} (${output.columns.map((c) => quoteIdent(c.name)).join(", ")}) ${source}`
        : `CREATE ${into === "temporary" ? "TEMPORARY " : ""}TABLE ${quoteIdent(table)} AS ${source}`
    // The file is hashed while DuckDB reads it (its own threads; an NDJSON file was, as it was copied); a mismatch
    // fails the load before COMMIT. Both settle before the caller may roll back; a changed file is said first.
    const negativeZero = output.format === "ndjson" && staged === undefined ? negativeZeroSearch() : undefined
    const [ran, checked] = await Promise.allSettled([
      connection.run(sql),
      staged === undefined ? verifyFile(output, negativeZero?.update) : Promise.resolve()
    ])
    if (checked.status === "rejected") throw checked.reason
    const message =
      ran.status === "rejected" ? (ran.reason instanceof Error ? ran.reason.message : String(ran.reason)) : ""
    if (negativeZero?.found() === true || message.includes(rewritten)) {
      readAsCsv.add(output.path)
      throw new LoadAgain(
        `${output.file} has values DuckDB's JSON reader would change: it is read again from a CSV copy`
      )
    }
    if (ran.status === "rejected") {
      if (staged === undefined && !lineLimits.has(output.path)) {
        // CSV: the file's size, as before (a line is at most that long); NDJSON: its longest row, measured, since
        // DuckDB's buffers grow with the limit (the file's size would cost a large file that much memory).
        const limit =
          output.format === "csv" && /Maximum line size of \d+ bytes exceeded/.test(message)
            ? Math.min(output.bytes + 2, maxLineSize)
            : output.format === "ndjson" && /"maximum_object_size" of \d+ bytes exceeded/.test(message)
              ? Math.min(Math.max((await longestLine(output.path)) + 2, defaultObjectSize), maxLineSize)
              : undefined
        if (limit !== undefined) {
          lineLimits.set(output.path, limit)
          throw new LoadAgain(`${output.file} has a line longer than DuckDB reads by default: it is read again`)
        }
      }
      throw new LoadFailure(engineMessage(message))
    }
    const result = ran.value
    // The hash and DuckDB read the file each on their own: it must not have changed while they did.
    if (fileStamp(output) !== before) {
      throw new LoadFailure(`${output.file} changed while it was loaded: it is refused (export the run again)`)
    }
    // CREATE TABLE … AS reports no count; a new table's count is kept in its metadata.
    if (into === "existing") return result.rowsChanged
    const count = (await connection.runAndReadAll(`SELECT count(*) FROM ${target}`)).getRows()
    return Number(count[0]![0])
  }
  return {
    dialect: "duckdb",
    exec,
    scalar: async (sql) => {
      const rows = (await connection.runAndReadAll(sql)).getRows()
      return rows.length === 0 ? undefined : String(rows[0]![0])
    },
    otherRelation: async (name) => {
      const type = (await relationNamed(name))?.type
      return type === undefined || type === "BASE TABLE" || type === "LOCAL TEMPORARY" ? undefined : type.toLowerCase()
    },
    columnsOf: async (table) => {
      // The table DuckDB means by the name: "Orders" of the database's own, for a load's `orders`.
      const named = await relationNamed(table)
      if (named === undefined) return undefined
      // Names as their bytes: DuckDB's Node package decodes text dropping a leading U+FEFF, and a result column
      // whose name starts with one (the files keep it) would then seem to differ from the manifest's.
      const result = await connection.runAndReadAll(
        `SELECT hex(encode(column_name)), data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${quoteLiteral(named.name)} ORDER BY ordinal_position`
      )
      const rows = result.getRows()
      return rows.length === 0
        ? undefined
        : rows.map((r) => ({ name: Buffer.from(String(r[0]), "hex").toString("utf8"), type: String(r[1]) }))
    },
    copy: async (table, output, into) => {
      const before = fileStamp(output)
      // Hashed as it is copied, so DuckDB, which reads the copy, needs no other check of the file.
      const staged = readAsCsv.has(output.path) ? await stageNdjson(output, stopped.signal) : undefined
      try {
        return await copyInto(table, output, into, before, staged)
      } finally {
        staged?.remove()
      }
    },
    abort: () => {
      stopped.abort()
      connection.interrupt()
    },
    close: async () => {
      connection.closeSync()
      instance.closeSync()
      if (created && !committed) {
        for (const path of [file, `${file}.wal`]) NodeFs.rmSync(path, { force: true })
      }
    }
  }
}
