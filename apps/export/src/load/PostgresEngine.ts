/**
 * Loads into PostgreSQL over one `pg` connection with `COPY … FROM STDIN` (pg-copy-streams), streaming each file:
 * a CSV file as it is (hashed on the way, see FileCheck.ts), an NDJSON or Parquet file converted row by row to CSV
 * exactly (NdjsonToCsv.ts, ParquetToCsv.ts). `pg` is imported only when a load runs. The password is passed in
 * (from `--password-file` or an environment variable), else read from a `.pgpass` file as libpq does; never from
 * the URL. A statement that waits for a lock is reported with the sessions it waits for (asked on a second session,
 * unless a CONNECTION LIMIT counts the load's sessions; the load needs none). An interrupted load's statement is cancelled on the server with
 * PostgreSQL's cancel request. A lock timeout given to the load is the session's `lock_timeout`, over the role's, the
 * database's or the URL's.
 */
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import { pipeline } from "node:stream/promises"
import { engineMessage, type LoadEngine, LoadFailure, temporaryTable } from "./Engine.ts"
import { hashingStream, verifyFile } from "./FileCheck.ts"
import {
  boundWait,
  type LockTimeout,
  lockTimeoutMillis,
  lockTimeoutShown,
  noLockTimeout,
  waitLonger
} from "./LockTimeout.ts"
import { ndjsonToCsv } from "./NdjsonToCsv.ts"
import { findNul } from "./NulSearch.ts"
import { parquetToCsv } from "./ParquetToCsv.ts"
import type { LoadOutput } from "./RunManifest.ts"
import { createTable, quoteIdent, quoteLiteral } from "./Warehouse.ts"

const importPg = async () => {
  try {
    const [pg, copy] = await Promise.all([import("pg"), import("pg-copy-streams")])
    // Both are CommonJS: Node names their exports, a bundle may give only `default` (module.exports).
    type From = typeof copy.from
    const copyModule = copy as unknown as { readonly from?: From; readonly default?: { readonly from: From } }
    const copyFrom = copyModule.from ?? copyModule.default?.from
    if (copyFrom === undefined) throw new Error("pg-copy-streams has no from()")
    return { Client: pg.default.Client, copyFrom }
  } catch {
    throw new LoadFailure(
      "loading into PostgreSQL needs the pg and pg-copy-streams packages, which are not installed: install them where spotpipe is installed (npm install pg@8.23.1 pg-copy-streams@7.0.0)"
    )
  }
}

/** What the load knows of its session, for messages that say what to do. */
interface Session {
  /** The user the load signs in as (`current_user` once signed in). */
  readonly user?: string
  /** Where the password came from, as a message names it. */
  readonly password?: string
  /** Who asked for `sslnegotiation=direct` (TLS from the first byte, without asking the server first). */
  readonly directTls?: "the URL" | "PGSSLNEGOTIATION"
}

/** An identifier as SQL writes it: bare when it may be (lower case, letters, digits, `_`), else quoted. */
const sqlName = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name))

/**
 * What to do about a failure PostgreSQL (or the network) reports, by its SQLSTATE or errno; "" when there is nothing
 * to add to the server's own words.
 */
const advice = (
  error: { message?: string; code?: string; detail?: string; syscall?: string },
  session: Session,
  limit: LockTimeout
): string => {
  // A job's load is set in its job file: its key, not the flag.
  const appendOrMerge =
    limit.setting === "job" ? `"mode": "append" or "merge" in the job file's "load"` : "--mode append or merge"
  const message = error.message ?? ""
  // The files the URL names are read before connecting (sslrootcert, sslcert, sslkey).
  if (error.syscall === "open") {
    return "a file the URL names (sslrootcert, sslcert or sslkey) cannot be read: check its path and permissions"
  }
  const user = session.user === undefined ? "the load's user" : sqlName(session.user)
  const searchPath = "?options=-c%20search_path%3D… in the URL"
  switch (error.code) {
    case "ECONNREFUSED":
      return "no server accepts connections there: check the URL's host and port (PostgreSQL's default is 5432), and that the server runs and listens on that address (its listen_addresses)"
    case "ENOENT":
      return "there is no PostgreSQL socket there: check the URL's ?host= (the socket's folder) and port, and that the server runs"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name is not known here: check the URL's host"
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host cannot be reached from here: check the URL's host and port, and any firewall between"
    case "53300": {
      // too_many_connections: the role's or the database's CONNECTION LIMIT, or the server's max_connections.
      const limited = /^too many connections for (role|database) "(.*)"$/.exec(message)
      if (limited !== null) {
        return `the ${limited[1]} ${sqlName(limited[2]!)} may open no more sessions (its CONNECTION LIMIT), and its other sessions use them all: load once one of them has ended (pg_stat_activity shows them), or have an administrator raise the limit (ALTER ${limited[1]!.toUpperCase()} ${sqlName(limited[2]!)} CONNECTION LIMIT …); a load needs one session`
      }
      return "the server has no connection left (its max_connections, less those reserved for administrators): load once other sessions have ended, or have an administrator raise max_connections; a load needs one session"
    }
    // The certificate checks of sslmode=verify-ca and verify-full (Node's codes).
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_SIGNATURE_FAILURE":
      return "the server's certificate is not signed by a certificate authority (CA) the load trusts, which the sslmode (verify-ca or verify-full) checks: name the CA that signed it with sslrootcert=/path/to/ca.crt in the URL (without sslrootcert the load trusts the CAs Node trusts; NODE_OPTIONS=--use-system-ca adds this machine's), or, on a network you trust, use sslmode=require (encrypted, the certificate not checked)"
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return "the server's certificate does not name the URL's host, which sslmode=verify-full checks: connect with a host name the certificate names, or use sslmode=verify-ca, which checks the CA only"
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
      return "the server's certificate is out of its validity dates, which the sslmode (verify-ca or verify-full) checks: have it renewed on the server, or check this machine's clock"
    case "3D000":
      return "check the database in the URL's path, or create it (CREATE DATABASE)"
    case "28P01":
      return `check the password${session.password === undefined ? "" : ` in ${session.password}`} and the URL's user`
    case "28000":
      return "check the URL's user; the server's pg_hba.conf says who may sign in from where"
    case "3F000":
      return `no schema of the session's search_path exists: create the schema (CREATE SCHEMA), or name one that exists with ${searchPath}`
    case "2BP01":
      return `a replace drops the table and creates it anew, which the objects that depend on it (views) prevent: drop them first and create them again after the load, or load with ${appendOrMerge}`
    case "42501": {
      const schema = /^permission denied for schema (.+)$/.exec(message)?.[1]
      if (schema !== undefined) {
        return `the user ${user} may not create tables in schema ${schema}: have the schema's owner GRANT USAGE, CREATE ON SCHEMA ${sqlName(schema)} TO ${user}, or load into a schema it may create in with ${searchPath}`
      }
      const table = /^permission denied for table (.+)$/.exec(message)?.[1]
      if (table !== undefined) {
        return `have the table's owner GRANT SELECT, INSERT, DELETE ON ${sqlName(table)} TO ${user} (a merge deletes the rows it replaces), or load as the table's owner`
      }
      if (/^must be owner of table /.test(message)) {
        return `a replace drops the table and creates it anew, which only its owner may do: load as its owner (or a member of the owning role), or load with ${appendOrMerge}`
      }
      const database = /^permission denied for database (.+)$/.exec(message)?.[1]
      if (database !== undefined) {
        return `have the database's owner GRANT CONNECT, TEMPORARY ON DATABASE ${sqlName(database)} TO ${user}`
      }
      return `the user ${user} lacks a privilege the load needs: have the object's owner grant it, or load as another user`
    }
  }
  if (/does not support SSL/i.test(message)) {
    // PGSSLMODE is put into a URL without sslmode (LoadTarget.ts), so either may have asked.
    return "the sslmode (the URL's, or PGSSLMODE for a URL without one) asks for SSL, which this server does not offer: enable SSL on the server (its ssl setting), or, on a network you trust, use sslmode=prefer or disable (in the URL, or PGSSLMODE)"
  }
  // A server that does not take direct TLS reads the handshake as a malformed startup message and hangs up.
  if (
    session.directTls !== undefined &&
    (error.code === "ECONNRESET" || /before secure TLS connection/.test(message))
  ) {
    return `the server hung up as TLS began: sslnegotiation=direct starts TLS without asking first, which only PostgreSQL 17 or later with SSL on accepts (not an older server, nor a pooler or proxy in front that does not take it): ${session.directTls === "the URL" ? "remove sslnegotiation=direct from the URL" : "unset PGSSLNEGOTIATION, which asks for it"} (the default, postgres, asks the server for SSL first)`
  }
  if (message === "timeout expired")
    return "no connection within the URL's connect_timeout: check the host and port, or give a longer connect_timeout"
  return ""
}

/**
 * The database's own words, with where in the file a bad row was (`COPY t, line 3, column x`) and what other objects
 * stop it (`view v depends on table t`); then what to do: for a lock that timed out how to wait longer and, when the
 * load had seen them, the sessions it waited for; for other known failures what {@link advice} says.
 */
const describe = (
  error: unknown,
  limit: LockTimeout = noLockTimeout,
  holders?: string,
  session: Session = {}
): string => {
  const e = error as { message?: string; where?: string; code?: string; detail?: string }
  // lock_not_available: the load's lock timeout ran out, or the session's lock_timeout (the role's, the
  // database's or the URL's) when none was given.
  const allowed =
    limit.seconds === undefined ? "the session's lock_timeout allows" : `the ${lockTimeoutShown(limit)} a load waits`
  const todo = advice(e, session, limit)
  const hint =
    e.code === "55P03"
      ? `: another session held a lock this load needs for longer than ${allowed}${holders === undefined ? "" : ` (it was ${holders})`}; ${limit.setting === "job" ? "continue the run with --resume" : "load again"} once that session is done, or ${waitLonger(limit)}`
      : todo === ""
        ? ""
        : `: ${todo}`
  // The objects in the way of a drop: PostgreSQL names them in its detail (the first few lines).
  const detail = e.code === "2BP01" && e.detail !== undefined ? ` (${e.detail.split("\n").slice(0, 3).join("; ")})` : ""
  // Node's own hint names a flag of node, not of spotpipe (what to do follows in the hint); its host name check
  // ends with the certificate's names, or ": " when it has none.
  const said = (e.message ?? String(error))
    .replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, "")
    .replace(/:\s*$/, "")
  return `${said}${detail}${e.where === undefined ? "" : ` (${e.where})`}${hint}`
}

/**
 * `COPY` text for `output` into `table` (a quoted, maybe qualified, SQL name); `freeze` for a table this transaction
 * created (see the engine's `copy`).
 */
export const copyStatement = (table: string, output: LoadOutput, freeze = false): string => {
  const columns = output.columns.map((c) => quoteIdent(c.name)).join(", ")
  const options =
    output.format === "csv"
      ? `FORMAT csv, HEADER true, ENCODING 'UTF8'${output.nullString === undefined ? "" : `, NULL ${quoteLiteral(output.nullString)}`}`
      : "FORMAT csv, ENCODING 'UTF8'"
  return `COPY ${table} (${columns}) FROM STDIN WITH (${options}${freeze ? ", FREEZE true" : ""})`
}

/** `pg_class.relkind` of what is not a table, as a message names it. */
const relationKinds: Readonly<Record<string, string>> = {
  v: "view",
  m: "materialized view",
  f: "foreign table",
  S: "sequence",
  i: "index",
  I: "index",
  c: "composite type",
  t: "TOAST table"
}

/** Where the password comes from when the server asks for one. */
export interface PostgresPassword {
  /** From `--password-file` or an environment variable. */
  readonly password: string | undefined
  /** Where `password` came from, as a message names it (`PGPASSWORD`, `the file given with --password-file`). */
  readonly from?: string
  /** The `.pgpass` file to look in when there is no `password` (`PGPASSFILE`, else `~/.pgpass`). */
  readonly passFile: string | undefined
  /** How to give a password, for a server that asks when none was given (default: `PGPASSWORD`, `--password-file`). */
  readonly howToGive?: string
}

/** The fields of one `.pgpass` line: `\` escapes the next character, `*` matches anything (libpq's rules). */
const pgpassFields = (line: string): Array<string> => {
  const fields: Array<string> = []
  let field = ""
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === "\\" && i + 1 < line.length) field += line[++i]
    else if (c === ":" && fields.length < 4) {
      fields.push(field)
      field = ""
    } else field += c
  }
  fields.push(field)
  return fields
}

/**
 * The socket folders that are libpq's default (`DEFAULT_PGSOCKET_DIR`): `/tmp` as PostgreSQL builds it,
 * `/var/run/postgresql` as Debian's and Red Hat's packages do. Which one the local libpq has is not known here, so
 * both are taken as the default.
 */
const defaultSocketFolders: ReadonlySet<string> = new Set(["/tmp", "/var/run/postgresql"])

/**
 * The host names a `.pgpass` line's first field matches, as libpq's `passwordFromFile` compares them: the host (a
 * Unix socket's folder, compared as written, no trailing `/` removed); `localhost` for the default socket folder
 * (libpq puts `localhost` in its place; the folder itself is kept too, for a libpq whose default is the other one).
 */
export const pgpassHosts = (host: string): ReadonlyArray<string> =>
  host === "" ? ["localhost"] : defaultSocketFolders.has(host) ? ["localhost", host] : [host]

/**
 * The password of the first `.pgpass` line that matches host, port, database and user, as libpq reads it: a file
 * that others can read is ignored (said in `ignored`), as libpq does.
 */
export const pgpassLookup = (
  file: string,
  target: { readonly host: string; readonly port: number; readonly database: string; readonly user: string },
  ignored: (why: string) => void
): string | undefined => {
  let text: string
  try {
    const stat = NodeFs.statSync(file)
    if (!stat.isFile()) return undefined
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
      ignored(`the password file ${file} can be read by others and was ignored, as libpq does: chmod 600 it`)
      return undefined
    }
    text = NodeFs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
  const hosts = pgpassHosts(target.host)
  const wanted = [String(target.port), target.database, target.user]
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.startsWith("#")) continue
    const fields = pgpassFields(line)
    if (
      fields.length === 5 &&
      (fields[0] === "*" || hosts.includes(fields[0]!)) &&
      wanted.every((w, i) => fields[i + 1] === "*" || fields[i + 1] === w)
    ) {
      return fields[4]
    }
  }
  return undefined
}

/**
 * The URLs to connect with, in order, giving `sslmode` libpq's meaning: pg reads `prefer`, `require` and
 * `verify-ca` as `verify-full` (and warns about it on stderr) unless told `uselibpqcompat=true`, which is added
 * here; `prefer` and `allow` are SSL without verifying the certificate when the server offers it, else plain (a
 * second URL with `sslmode=disable`). A URL that says `uselibpqcompat` itself is left as it is. A Unix socket is
 * spoken to without SSL (`sslmode=disable`, `sslnegotiation=postgres`), as libpq does.
 */
export const connectionUrls = (url: string): ReadonlyArray<string> => {
  const parsed = new URL(url)
  const query = parsed.searchParams
  const mode = query.get("sslmode")
  // libpq never uses SSL over a Unix socket, whatever sslmode and sslnegotiation (or PGSSLMODE, PGSSLNEGOTIATION)
  // say; pg would ask for it there and fail (and refuses sslnegotiation=direct without SSL).
  // The folder may be the URL's host, percent-encoded (postgresql://%2Fvar%2Frun%2Fpostgresql/db), as libpq reads it.
  const host = query.get("host") || decodeURIComponent(parsed.hostname)
  if (host.startsWith("/")) {
    const hash = url.indexOf("#")
    const head = hash === -1 ? url : url.slice(0, hash)
    const start = head.indexOf("?")
    const kept = (start === -1 ? [] : head.slice(start + 1).split("&")).filter(
      (pair) => pair !== "" && !/^(sslmode|sslnegotiation)=/.test(pair)
    )
    // sslnegotiation named, so that pg does not take PGSSLNEGOTIATION's (direct, which it refuses without SSL).
    return [
      `${start === -1 ? head : head.slice(0, start)}?${[...kept, "sslmode=disable", "sslnegotiation=postgres"].join("&")}${url.slice(head.length)}`
    ]
  }
  if (mode === null || query.has("uselibpqcompat") || !["prefer", "allow", "require", "verify-ca"].includes(mode)) {
    return [url]
  }
  // Into the query, before a `#fragment` (after it, pg would never read it).
  const hash = url.indexOf("#")
  const compat =
    hash === -1 ? `${url}&uselibpqcompat=true` : `${url.slice(0, hash)}&uselibpqcompat=true${url.slice(hash)}`
  if (mode !== "prefer" && mode !== "allow") return [compat]
  return [
    compat.replace(/([?&])sslmode=[^&#]*/, "$1sslmode=prefer"),
    url.replace(/([?&])sslmode=[^&#]*/, "$1sslmode=disable")
  ]
}

/** How long a statement waits before the load looks for the sessions it waits on, and how often it looks again. */
const lockCheckMillis = 1000

/** How long an interrupted load waits for its waiting statement to be cancelled before it ends the session anyway. */
const cancelMillis = 3000

/**
 * Asks the server to cancel what the session of `client` runs, with PostgreSQL's cancel request (the backend's pid
 * and secret key, on a connection of its own that opens no session, as libpq's PQcancel): so a role that may open
 * one session, or a server with no connection slot left, does not stop it. Resolves once the server has taken it
 * (it closes that connection), could not be reached, or `millis` have passed (the connection closed then).
 */
const cancelRequest = (client: unknown, millis: number): Promise<void> => {
  const { host, port, processID, secretKey } = client as {
    host?: string
    port?: number
    processID?: number | null
    secretKey?: number | null
  }
  if (host === undefined || port === undefined || processID == null || secretKey == null) return Promise.resolve()
  return new Promise((resolve) => {
    const socket = host.startsWith("/") ? NodeNet.connect(`${host}/.s.PGSQL.${port}`) : NodeNet.connect(port, host)
    const request = Buffer.alloc(16)
    request.writeInt32BE(16, 0)
    // The cancel request code, 1234 << 16 | 5678.
    request.writeInt32BE(80877102, 4)
    request.writeInt32BE(processID, 8)
    request.writeInt32BE(secretKey, 12)
    // A server gone quiet must not hold up Ctrl-C, nor keep this process alive.
    const timer = setTimeout(() => socket.destroy(), millis)
    socket.once("connect", () => socket.write(request))
    socket.once("error", () => {})
    socket.once("close", () => {
      clearTimeout(timer)
      resolve()
    })
    socket.resume()
  })
}

/** The application name a load's sessions show in `pg_stat_activity` when the URL and `PGAPPNAME` give none. */
export const loadApplicationName = "spotpipe load"

/** A session the load waits on, as `pg_stat_activity` shows it (never its query, which may hold data). */
interface Blocker {
  readonly pid: number
  readonly user: string | null
  readonly application: string | null
  readonly client: string | null
  readonly state: string | null
  readonly since: Date | null
}

/** What the load waits for: the lock it asked for, and who holds it (or waits ahead of it). */
const waitingFor = (
  lock: { locktype: string; relation: string | null } | undefined,
  blockers: ReadonlyArray<Blocker>
) => {
  const what =
    lock === undefined
      ? "a lock"
      : lock.locktype === "advisory"
        ? "its turn to load the table (another load of it is running)"
        : lock.relation !== null
          ? `a lock on ${lock.relation}`
          : `a ${lock.locktype} lock`
  const sessions = blockers.map((b) => {
    const details = [
      b.user === null ? undefined : `user ${b.user}`,
      b.application === null || b.application === "" ? undefined : JSON.stringify(b.application),
      b.client === null ? undefined : `from ${b.client}`,
      b.state === null ? undefined : b.state,
      b.since === null ? undefined : `in a transaction since ${b.since.toISOString()}`
    ].filter((d) => d !== undefined)
    return `PID ${b.pid}${details.length === 0 ? "" : ` (${details.join(", ")})`}`
  })
  return `waiting for ${what}, held by (or asked for first by) the session ${sessions.join(" and the session ")}`
}

/** The warning of a statement that waits: whom for (see {@link waitingFor}), and what ends the wait. */
const waitMessage = (waiting: string, limit: LockTimeout) => {
  const bounded =
    limit.seconds === undefined || limit.seconds === 0 ? "" : `, or stops after ${lockTimeoutShown(limit)}`
  return `${waiting}: the load goes on once it is released${bounded} (end or commit that session's transaction, or wait; pg_terminate_backend ends it; Ctrl-C stops the load, nothing loaded)`
}

/** Connects to `url` (which holds no password), giving the password when the server asks for one. */
export const openPostgres = async (
  url: string,
  shown: string,
  credentials: PostgresPassword,
  /** Told when a statement waits for a lock another session holds (and again when the holders change). */
  waiting?: (message: string) => void,
  /** The session's `lock_timeout` (given: over the role's, the database's and the URL's). */
  lockTimeout: LockTimeout = noLockTimeout,
  /** How long connecting may take (the URL's `connect_timeout`); `undefined`: no limit. */
  connectTimeoutMillis?: number
): Promise<LoadEngine> => {
  const { Client, copyFrom } = await importPg()
  // pg's URL parser sets the password to "" (none in the URL), which overrides a `password` given beside the
  // URL; so the password is set on the client, as the function pg calls when the server asks for one. pg's own
  // fallbacks (PGPASSWORD of this process, ~/.pgpass with a deprecation warning) are thereby not used: the caller
  // has read the variable it names, and the `.pgpass` lookup is here.
  const notes: Array<string> = []
  // What messages know of the session: the user (from pg's reading of the URL, then the server's) and where the
  // password came from.
  // PGSSLNEGOTIATION is libpq's sslnegotiation for a URL without one, and pg reads it too (not over a Unix socket:
  // connectionUrls names the default there).
  const negotiation = new URL(url).searchParams.get("sslnegotiation")
  const negotiationEnv = negotiation === null ? process.env["PGSSLNEGOTIATION"] : undefined
  let session: Session =
    negotiation === "direct"
      ? { directTls: "the URL" }
      : negotiationEnv === "direct"
        ? { directTls: "PGSSLNEGOTIATION" }
        : {}
  const ask = async (params: { host: string; port: number; database: string; user: string }): Promise<string> => {
    if (credentials.password !== undefined) {
      session = { ...session, ...(credentials.from === undefined ? {} : { password: credentials.from }) }
      return credentials.password
    }
    const found =
      credentials.passFile === undefined ? undefined : pgpassLookup(credentials.passFile, params, (n) => notes.push(n))
    if (found !== undefined) {
      session = { ...session, password: `the password file ${credentials.passFile}` }
      return found
    }
    throw new LoadFailure(
      `the server asks for a password and none was given: ${credentials.howToGive ?? "set PGPASSWORD or use --password-file"}, or add a line to ~/.pgpass${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`
    )
  }
  const connect = async (at: string, made?: (client: InstanceType<typeof Client>) => void) => {
    // Named, so that an analyst or DBA sees what the load's session is (libpq's fallback: the URL's name wins).
    const client = new Client({
      connectionString: at,
      fallback_application_name: loadApplicationName,
      ...(connectTimeoutMillis === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMillis })
    })
    const user = (client as unknown as { user?: string }).user
    if (user !== undefined && session.user === undefined) session = { ...session, user }
    made?.(client)
    ;(client as unknown as { password: typeof ask }).password = ask
    // A connection lost mid-load surfaces as the failing query's error; this keeps it from being an uncaught event.
    client.on("error", () => {})
    try {
      await client.connect()
    } catch (error) {
      // A sign-in refused (or never finished) leaves pg's socket open: closed here, so nothing outlives the load.
      await client.end().catch(() => {})
      throw error
    }
    return client
  }
  const urls = connectionUrls(url)
  // pg would refuse it with a warning's words that do not say how to give the CA (libpq would read
  // ~/.postgresql/root.crt, which pg never does).
  const tls = new URL(urls[0]!).searchParams
  if (tls.get("sslmode") === "verify-ca" && tls.get("uselibpqcompat") === "true" && !tls.get("sslrootcert")) {
    throw new LoadFailure(
      `cannot connect to PostgreSQL at ${shown}: sslmode=verify-ca (the URL's, or PGSSLMODE for a URL without one) checks the server's certificate against the certificate authority (CA) that sslrootcert names, and the URL names none: add sslrootcert=/path/to/ca.crt to the URL (the CA that signed the server's certificate; a load does not read libpq's default ~/.postgresql/root.crt), or use sslmode=verify-full to check the certificate and the host name against the CAs Node trusts`
    )
  }
  // Refused as libpq refuses them, in words that say what to do (pg's name no variable).
  if (negotiationEnv !== undefined && !tls.has("sslnegotiation")) {
    if (negotiationEnv !== "postgres" && negotiationEnv !== "direct") {
      throw new LoadFailure(
        `cannot connect to PostgreSQL at ${shown}: the environment variable PGSSLNEGOTIATION is neither postgres nor direct: set it to one of them, or unset it`
      )
    }
    if (negotiationEnv === "direct" && !["require", "verify-ca", "verify-full"].includes(tls.get("sslmode") ?? "")) {
      throw new LoadFailure(
        `cannot connect to PostgreSQL at ${shown}: PGSSLNEGOTIATION=direct needs sslmode=require, verify-ca or verify-full (libpq's rule): give one in the URL (or PGSSLMODE), or unset PGSSLNEGOTIATION`
      )
    }
  }
  let client: InstanceType<typeof Client>
  // The URL that connected (sslmode=prefer: maybe the plain one), for a second session.
  let connected = urls[0]!
  try {
    client = await connect(urls[0]!).catch((error: Error) => {
      // sslmode=prefer or allow: a server without SSL is spoken to in plain text, as libpq does.
      if (urls.length === 1 || !/does not support SSL/i.test(error.message)) return Promise.reject(error)
      connected = urls[1]!
      return connect(connected)
    })
  } catch (error) {
    if (error instanceof LoadFailure)
      throw new LoadFailure(`cannot connect to PostgreSQL at ${shown}: ${error.message}`)
    throw new LoadFailure(
      `cannot connect to PostgreSQL at ${shown}: ${describe(error, noLockTimeout, undefined, session)}`
    )
  }
  // A second session, opened the first time a statement runs over a second, to ask the server what it waits for;
  // where it cannot be opened (a server with no connection left) the load goes on without saying.
  let backend: number | undefined
  let monitor: Promise<InstanceType<typeof Client> | undefined> | undefined
  // The second session's client from the start, so that one still connecting (to a server gone quiet) is ended too.
  let monitorClient: InstanceType<typeof Client> | undefined
  let monitorReady = false
  let stopping: Promise<void> = Promise.resolve()
  // The CONNECTION LIMIT (the role's, the database's) that counts the load's sessions, if any: a second session
  // would take one that another load (a shard's) may need, so none is opened; said once instead.
  let rationed: string | undefined
  let rationedSaid = false
  const monitorSession = () => {
    if (rationed !== undefined) return Promise.resolve(undefined)
    monitor ??= connect(connected, (c) => {
      monitorClient = c
    }).then(
      (c) => {
        monitorReady = true
        return c
      },
      () => undefined
    )
    return monitor
  }
  const endMonitor = async () => {
    if (monitorReady) await monitorClient?.end().catch(() => {})
    else {
      // Still connecting: pg's end() would wait for the server to answer its goodbye, which a server gone quiet
      // never does; its socket is closed instead.
      ;(
        monitorClient as unknown as { connection?: { stream?: { destroy?: () => void } } } | undefined
      )?.connection?.stream?.destroy?.()
    }
  }
  // A limit of a second stops a statement at the time of the first look: looked at before, so that the warning and
  // the failure name the sessions it waited for.
  const limit = lockTimeoutMillis(lockTimeout)
  const firstLook = limit === undefined ? lockCheckMillis : Math.min(lockCheckMillis, limit / 2)
  /** Reports what the statement running now waits for, until `stop` is called; `holders`: whom it waited for last. */
  const watchLocks = () => {
    let stopped = false
    let said = ""
    let holders: string | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const look = async () => {
      if (rationed !== undefined) {
        if (!stopped && !rationedSaid) {
          rationedSaid = true
          waiting?.(
            `a statement is still running after a second (if it waits for another session's lock, ${lockTimeoutMillis(lockTimeout) === undefined ? boundWait(lockTimeout) : `the load stops after ${lockTimeoutShown(lockTimeout)}`}); the load does not ask whether it waits, or for which session, as asking takes a second session, which ${rationed} counts (a load needs one)`
          )
        }
        return
      }
      const side = await monitorSession()
      if (stopped || side === undefined || backend === undefined) return
      const [lock, blockers] = await Promise.all([
        side.query(
          `SELECT locktype, relation::regclass::text AS relation FROM pg_locks WHERE pid = ${backend} AND NOT granted LIMIT 1`
        ),
        side.query(
          `SELECT pid, usename AS user, application_name AS application, host(client_addr) AS client, state, xact_start AS since FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids(${backend})) ORDER BY pid`
        )
      ]).catch(() => [undefined, undefined] as const)
      if (stopped) return
      if (blockers !== undefined && blockers.rows.length > 0) {
        holders = waitingFor(
          lock?.rows[0] as { locktype: string; relation: string | null } | undefined,
          blockers.rows as Array<Blocker>
        )
        // Said again only when the sessions it waits on change.
        const who = (blockers.rows as Array<Blocker>).map((b) => b.pid).join(",")
        if (who !== said) {
          said = who
          waiting?.(waitMessage(holders, lockTimeout))
        }
      }
      timer = setTimeout(look, lockCheckMillis)
    }
    if (waiting !== undefined) timer = setTimeout(look, firstLook)
    return {
      stop: () => {
        stopped = true
        clearTimeout(timer)
      },
      holders: () => holders
    }
  }
  const query = async (sql: string) => {
    const watch = watchLocks()
    try {
      return await client.query(sql)
    } catch (error) {
      throw new LoadFailure(describe(error, lockTimeout, watch.holders(), session))
    } finally {
      watch.stop()
    }
  }
  // Every literal the load writes ('\N' as COPY's null string, file and column names) means its text only with
  // standard_conforming_strings on; a database or role may set it off, where '\N' would be the null string N.
  try {
    await query("SET standard_conforming_strings = on")
    // A load's checks under its table's lock (an append's "already appended", a merge's columns) must read what the
    // load it waited for committed: a role's or database's REPEATABLE READ default would read from before the wait.
    await query("SET default_transaction_isolation = 'read committed'")
    // Milliseconds, the setting's unit; 0 is PostgreSQL's "without limit" too.
    if (lockTimeout.seconds !== undefined) await query(`SET lock_timeout = ${lockTimeout.seconds * 1000}`)
    const facts = (
      await query(
        "SELECT pg_backend_pid() AS pid, current_user AS user, current_schema() AS schema, current_setting('search_path') AS search_path, current_database() AS database, session_user AS login, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS super, (SELECT rolconnlimit FROM pg_roles WHERE rolname = session_user) AS role_limit, (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) AS database_limit"
      )
    ).rows[0] as {
      pid: number
      user: string
      schema: string | null
      search_path: string
      database: string
      login: string
      super: boolean | null
      role_limit: number | null
      database_limit: number | null
    }
    backend = Number(facts.pid)
    // Superusers are not counted (PostgreSQL's rule).
    if (facts.super !== true) {
      if (facts.role_limit !== null && facts.role_limit >= 0) {
        rationed = `the role ${sqlName(facts.login)}'s CONNECTION LIMIT`
      } else if (facts.database_limit !== null && facts.database_limit >= 0) {
        rationed = `the database ${sqlName(facts.database)}'s CONNECTION LIMIT`
      }
    }
    session = { ...session, user: facts.user }
    // No schema to create tables in: every load would fail at its first CREATE, so it fails here, naming the path.
    if (facts.schema === null) {
      // current_schema() is null too for a schema that exists but the user may not use (no USAGE): said so.
      const barred = (
        await query(
          `SELECT n.nspname AS name FROM unnest(string_to_array(current_setting('search_path'), ',')) WITH ORDINALITY AS p(entry, i) JOIN pg_namespace AS n ON n.nspname = CASE WHEN btrim(p.entry) IN ('"$user"', '$user') THEN current_user ELSE btrim(btrim(p.entry), '"') END WHERE NOT has_schema_privilege(n.oid, 'USAGE') ORDER BY p.i LIMIT 1`
        )
      ).rows[0] as { name: string } | undefined
      if (barred !== undefined) {
        const user = sqlName(facts.user)
        throw new LoadFailure(
          `the schema ${barred.name} of the search_path (${facts.search_path}) exists in database ${facts.database}, but the user ${user} may not use it: have the schema's owner GRANT USAGE, CREATE ON SCHEMA ${sqlName(barred.name)} TO ${user}, or load into a schema it may create in with ?options=-c%20search_path%3D… in the URL`
        )
      }
      throw new LoadFailure(
        `no schema of the search_path (${facts.search_path}) exists in database ${facts.database}: create it (CREATE SCHEMA …, as a user that may) or name an existing one with ?options=-c%20search_path%3D… in the URL`
      )
    }
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
  return {
    dialect: "postgres",
    exec: async (sql) => {
      await query(sql)
    },
    scalar: async (sql) => {
      const result = await query(sql)
      const row = result.rows[0] as Record<string, unknown> | undefined
      return row === undefined ? undefined : String(Object.values(row)[0])
    },
    otherRelation: async (name) => {
      // pg_class, not information_schema: it has materialized views, sequences and indexes too, which share the
      // tables' names.
      const result = await query(
        `SELECT c.relkind FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = ${quoteLiteral(name)}`
      )
      const kind = (result.rows[0] as { relkind?: string } | undefined)?.relkind
      return kind === undefined || kind === "r" || kind === "p" ? undefined : (relationKinds[kind] ?? "relation")
    },
    columnsOf: async (table) => {
      const result = await query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${quoteLiteral(table)} ORDER BY ordinal_position`
      )
      return result.rows.length === 0
        ? undefined
        : result.rows.map((r: { column_name: string; data_type: string }) => ({
            name: r.column_name,
            type: r.data_type
          }))
    },
    copy: async (table, output, into) => {
      if (into !== "existing") {
        const create = createTable("postgres", { table, columns: output.columns })
        await query(into === "temporary" ? create.replace("CREATE TABLE", "CREATE TEMPORARY TABLE") : create)
      }
      const target = into === "temporary" ? temporaryTable("postgres", table) : quoteIdent(table)
      // A table created here is filled frozen: once committed (a replace's swap), a transaction whose snapshot is
      // older (REPEATABLE READ, SERIALIZABLE) sees its rows, where it would see it empty (rows of a transaction
      // after its snapshot). Not a temporary one: no other session reads it.
      const copy = client.query(copyFrom(copyStatement(target, output, into === "create")))
      const file = () => NodeFs.createReadStream(output.path, { highWaterMark: 1 << 20 })
      // COPY takes its table's lock first: a session holding it (LOCK TABLE) is waited for.
      const watch = watchLocks()
      try {
        if (output.format === "parquet") await pipeline(parquetToCsv(output), copy)
        else if (output.format === "ndjson") {
          await pipeline(file(), hashingStream(output), ndjsonToCsv(output.columns.map((c) => c.name)), copy)
        } else await pipeline(file(), hashingStream(output), copy)
      } catch (error) {
        if (error instanceof LoadFailure) throw error
        // A row the database refused may come from a file changed since the run: say that first.
        await verifyFile(output)
        // PostgreSQL quotes a bad value whole in its message (its context cuts it at 100 bytes): cut it too.
        const message = engineMessage(describe(error, lockTimeout, watch.holders(), session))
        // Valid UTF-8 that PostgreSQL refuses all the same: its text type cannot hold U+0000. Its message's line is
        // not the file's row and names no column: the file is searched for the cell.
        if (/invalid byte sequence for encoding "UTF8": 0x00\b/.test(message)) {
          const cell = await findNul(output)
          const where =
            cell === undefined
              ? message
              : cell.row === 0
                ? "the header"
                : `row ${cell.row}${cell.column === undefined ? "" : `, column ${JSON.stringify(cell.column)}`}`
          throw new LoadFailure(
            `${output.file}: ${where}: a text holds the character U+0000 (NUL), which PostgreSQL's text cannot store: load into DuckDB, or correct the value at the source`
          )
        }
        throw new LoadFailure(`${output.file}: ${message}`)
      } finally {
        watch.stop()
      }
      return copy.rowCount
    },
    // Ending the connection stops a COPY; the server rolls back the transaction it leaves open. A statement waiting
    // for a lock is cancelled first: until granted, the server would not see the connection end.
    abort: () => {
      stopping = cancelRequest(client, cancelMillis).then(() => client.end().catch(() => {}))
    },
    close: async () => {
      await stopping
      await client.end().catch(() => {})
      await endMonitor()
    }
  }
}
