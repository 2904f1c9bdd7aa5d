/**
 * Where `spotpipe load` (and a job file's `load` block) loads into: `duckdb:FILE` (an embedded DuckDB database
 * file) or a `postgresql://user@host:port/db` URL (a Unix socket: `postgresql:///db?host=/socket/folder`). A URL
 * that holds a password is refused — argv and job files are seen by others — and the message never repeats it: the
 * password comes from `PGPASSWORD` or `--password-file`. The URL's query parameters are libpq's, and only those the
 * load honours are taken: any other (a typo such as `sslmod`, which would leave the connection in plain text) and an
 * invalid `sslmode` are refused. It sits beside the other shared modules at the app's root: the flags (`--into`,
 * `--mode`), the job file's `load` block (plan/JobFile.ts) and the load itself all read it.
 */
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { closest } from "./Suggest.ts"

/** A parsed target. */
export type Target =
  | { readonly _tag: "DuckDb"; readonly file: string }
  | {
      readonly _tag: "Postgres"
      readonly url: string
      /** The URL as messages show it: user, host, port and database (never a password, never other parameters). */
      readonly shown: string
      /** `?connect_timeout=` in milliseconds (libpq's meaning: at least 2 s); `undefined`: no limit. */
      readonly connectTimeoutMillis?: number
    }

/** The load modes. */
export const loadModes = ["replace", "append", "merge"] as const
/** See {@link loadModes}. */
export type LoadMode = (typeof loadModes)[number]

/** libpq's `sslmode` values, each with libpq's meaning (see load/PostgresEngine.ts). */
export const sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const

/** The URL query parameters a load honours, with libpq's names and meaning. */
export const urlParameters = [
  "host",
  "port",
  "user",
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslnegotiation",
  "connect_timeout",
  "options",
  "application_name",
  "fallback_application_name",
  "uselibpqcompat"
] as const

/** What to do instead of a query parameter the load does not honour, for those with a better answer than "remove it". */
const instead: Readonly<Record<string, string>> = {
  ssl: "give sslmode instead (require, verify-ca or verify-full; libpq's meaning)",
  dbname: "put the database in the URL's path: postgresql://user@host:port/database",
  passfile: "set PGPASSFILE instead",
  statement_timeout: "a server setting goes in options: ?options=-c%20statement_timeout%3D…",
  lock_timeout: 'give --lock-timeout (a job file: "lockTimeoutSeconds"), or ?options=-c%20lock_timeout%3D…',
  idle_in_transaction_session_timeout:
    "a server setting goes in options: ?options=-c%20idle_in_transaction_session_timeout%3D…",
  client_encoding: "a load always speaks UTF-8 to the server: remove it"
}

/** libpq's other connection parameters: known, but not honoured by a load. */
const unsupported: ReadonlySet<string> = new Set([
  "hostaddr",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
  "gssencmode",
  "gsslib",
  "gssdelegation",
  "krbsrvname",
  "channel_binding",
  "require_auth",
  "requirepeer",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "sslcompression",
  "sslcertmode",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "min_protocol_version",
  "max_protocol_version",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "replication",
  "oauth_issuer",
  "oauth_client_id",
  "oauth_client_secret",
  "oauth_scope"
])

/** A value as a message may show it: a short word as written, anything else (it may be a secret) not at all. */
const valueShown = (value: string): string | undefined => (/^[\w.-]{0,32}$/.test(value) ? `"${value}"` : undefined)

/** Why the URL's query is refused, or `undefined` when the load honours each of its parameters. */
const queryProblem = (query: URLSearchParams): string | undefined => {
  const keys = [...query.keys()]
  const twice = keys.find((k, i) => keys.indexOf(k) !== i)
  // Read twice, the parameter would mean one thing here and another to the driver (the first, the last).
  if (twice !== undefined) return `the PostgreSQL URL gives "${twice}" more than once: give it once`
  for (const key of keys) {
    if ((urlParameters as ReadonlyArray<string>).includes(key)) continue
    const named = valueShown(key) ?? "a query parameter"
    const what = instead[key] ?? (unsupported.has(key) ? "a load does not support it: remove it" : undefined)
    if (what !== undefined) return `the PostgreSQL URL's query parameter ${named} is not honoured by a load: ${what}`
    const near = closest(key, urlParameters, 1)[0]
    return `the PostgreSQL URL's query parameter ${named} is not one libpq knows: ${near === undefined ? "remove it" : `did you mean "${near}"?`} (a load reads ${urlParameters.join(", ")})`
  }
  const mode = query.get("sslmode")
  if (mode !== null && !(sslModes as ReadonlyArray<string>).includes(mode)) {
    const shown = valueShown(mode)
    const near = closest(mode, sslModes, 1)[0]
    return `${shown === undefined ? "the PostgreSQL URL's sslmode" : `sslmode=${shown}`} is not a valid sslmode${near === undefined ? "" : ` (did you mean "${near}"?)`}: use ${sslModes.slice(0, -1).join(", ")} or ${sslModes.at(-1)}`
  }
  const negotiation = query.get("sslnegotiation")
  if (negotiation !== null && negotiation !== "postgres" && negotiation !== "direct") {
    return "the PostgreSQL URL's sslnegotiation must be postgres or direct"
  }
  if (negotiation === "direct" && !["require", "verify-ca", "verify-full"].includes(mode ?? "")) {
    return "sslnegotiation=direct needs sslmode=require, verify-ca or verify-full (libpq's rule)"
  }
  const port = query.get("port")
  if (port !== null && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
    return "the PostgreSQL URL's port must be a number from 1 to 65535"
  }
  const timeout = query.get("connect_timeout")
  if (timeout !== null && !/^\d{1,6}$/.test(timeout)) {
    return "the PostgreSQL URL's connect_timeout must be whole seconds (0: no limit)"
  }
  return undefined
}

/** The URL as messages show it: `postgresql://user@host:port/db`, a socket as `postgresql:///db?host=…&user=…`. */
const shownUrl = (url: URL): string => {
  const query = url.searchParams
  // A query parameter wins over the URL's part, for libpq and pg alike (an empty one does not, for pg).
  const host = query.get("host") || url.hostname
  const port = query.get("port") || url.port
  const user = query.get("user") ? encodeURIComponent(query.get("user")!) : url.username
  if (host.startsWith("/")) {
    const extra = `${port === "" ? "" : `&port=${port}`}${user === "" ? "" : `&user=${user}`}`
    return `${url.protocol}//${url.pathname}?host=${host}${extra}`
  }
  return `${url.protocol}//${user === "" ? "" : `${user}@`}${host}${port === "" ? "" : `:${port}`}${url.pathname}`
}

/**
 * The target with `PGSSLMODE` (libpq's default for a URL without `sslmode`) put into its URL, so that the load gives
 * it libpq's meaning (pg would read it its own way, and an invalid value as no SSL at all); a URL's own `sslmode`
 * wins. An invalid value is refused, as libpq refuses it.
 */
export const withSslModeOf = (
  target: Target,
  environment: string | undefined
): { readonly ok: Target } | { readonly refused: string } => {
  if (target._tag !== "Postgres" || environment === undefined) return { ok: target }
  if (!(sslModes as ReadonlyArray<string>).includes(environment)) {
    const shown = valueShown(environment)
    return {
      refused: `the environment variable PGSSLMODE${shown === undefined ? "" : `=${shown}`} is not a valid sslmode: set it to ${sslModes.slice(0, -1).join(", ")} or ${sslModes.at(-1)}, or unset it`
    }
  }
  if (new URL(target.url).searchParams.has("sslmode")) return { ok: target }
  // Into the query, before a `#fragment`.
  const hash = target.url.indexOf("#")
  const base = hash === -1 ? target.url : target.url.slice(0, hash)
  const url = `${base}${base.includes("?") ? "&" : "?"}sslmode=${environment}${hash === -1 ? "" : target.url.slice(hash)}`
  return { ok: { ...target, url } }
}

/**
 * Parses a target, or says what is wrong (without echoing a secret), in the words of where it was given: `--into`,
 * or a job file's `"into"` (whose password comes from `"passwordEnv"`, not a flag).
 */
export const parseTarget = (
  text: string,
  givenIn: "flag" | "job file" = "flag"
): { readonly ok: Target } | { readonly refused: string } => {
  const into = (target: string) => (givenIn === "flag" ? `--into ${target}` : `"into": "${target}"`)
  if (text.startsWith("duckdb:")) {
    const file = text.slice("duckdb:".length)
    if (file === "" || file === ":memory:") {
      return { refused: `duckdb: needs a database file, e.g. ${into("duckdb:warehouse.duckdb")}` }
    }
    // A URL's form (`duckdb:///x.duckdb`, as SQLAlchemy and dlt write it, where it is relative) is a path here, and
    // `///x.duckdb` is `/x.duckdb`, at the file system's root: said, never guessed.
    if (file.startsWith("//")) {
      const path = file.replace(/^\/{2,3}/, "")
      const meant = path.startsWith("/")
        ? into(`duckdb:${path}`)
        : `${into(`duckdb:${path}`)} for a file here, or ${into(`duckdb:/${path}`)} for that full path`
      return {
        refused: `duckdb:${file} is written as a URL, but duckdb:FILE takes a path (it would be ${NodePath.resolve("/", file)}): give ${meant}`
      }
    }
    // DuckDB puts the home folder in place of any leading `~` (`~name` becomes the home folder's path with `name`
    // glued on): the path is expanded here once, so that every later step (did this load create the file?) sees
    // the file DuckDB opens; `~name` is refused rather than read two ways.
    if (file === "~" || file.startsWith("~/")) {
      return { ok: { _tag: "DuckDb", file: NodePath.join(NodeOs.homedir(), file.slice(1)) } }
    }
    if (file.startsWith("~")) {
      return {
        refused: `duckdb:${file} starts with ~ but not ~/: give the database file as ~/…, a full path, or ./${file} for a file of that name here`
      }
    }
    return { ok: { _tag: "DuckDb", file } }
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return { refused: "the PostgreSQL URL is not valid: use postgresql://user@host:port/database" }
    }
    const keys = [...url.searchParams.keys()].map((k) => k.toLowerCase())
    if (url.password !== "" || keys.includes("password") || keys.includes("sslpassword")) {
      return {
        refused: `the PostgreSQL URL holds a password: remove it from the URL (postgresql://user@host:port/database) and ${givenIn === "flag" ? "set PGPASSWORD or use --password-file" : 'set PGPASSWORD, or name the variable that holds it with "passwordEnv"'}`
      }
    }
    // libpq's socket form: no host in the URL, the socket's folder as `?host=/path`.
    const socket = url.hostname === "" ? url.searchParams.get("host") || null : null
    if ((url.hostname === "" && socket === null) || url.pathname.length <= 1) {
      return {
        refused:
          "the PostgreSQL URL needs a host and a database: postgresql://user@host:port/database (a Unix socket: postgresql:///database?host=/path/to/socket/folder)"
      }
    }
    const problem = queryProblem(url.searchParams)
    if (problem !== undefined) return { refused: problem }
    // libpq: 0 is no limit, and less than 2 seconds is 2.
    const timeout = Number(url.searchParams.get("connect_timeout") ?? "0")
    return {
      ok: {
        _tag: "Postgres",
        url: text,
        shown: shownUrl(url),
        ...(timeout === 0 ? {} : { connectTimeoutMillis: Math.max(timeout, 2) * 1000 })
      }
    }
  }
  return {
    refused: `unknown load target: use ${into("duckdb:FILE")} or ${into("postgresql://user@host:port/database")}${targetSuggestion(text, into)}`
  }
}

/**
 * What an unknown target likely meant: a database file without `duckdb:` (`warehouse.duckdb`), or a mistyped
 * scheme (`duckbd:`, `postgress://`). A URL is never repeated: it may hold a password.
 */
const targetSuggestion = (text: string, into: (target: string) => string): string => {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/)?/.exec(text)
  if (scheme?.[2] !== undefined) {
    return closest(scheme[1]!, ["postgresql", "postgres"], 1).length > 0 ? "; did you mean postgresql://…?" : ""
  }
  // One letter before `:` is a Windows drive (`C:\\w.duckdb`), not a scheme.
  if (scheme !== null && scheme[1]!.length > 1) {
    return closest(scheme[1]!, ["duckdb"], 1).length > 0
      ? `; did you mean ${into(`duckdb:${text.slice(scheme[0].length)}`)}?`
      : ""
  }
  return /\.(duckdb|ddb|db)$/i.test(text) && !text.includes("@") ? `; did you mean ${into(`duckdb:${text}`)}?` : ""
}
