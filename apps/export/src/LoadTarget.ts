/**
 * Where `spotpipe load` (and a job file's `load` block) loads into: `duckdb:FILE` (an embedded DuckDB database
 * file) or a `postgresql://user@host:port/db` URL (a Unix socket: `postgresql:///db?host=/socket/folder`). A URL
 * that holds a password is refused — argv and job files are seen by others — and the message never repeats it: the
 * password comes from `PGPASSWORD` or `--password-file`. It sits beside the other shared modules at the app's root:
 * the flags (`--into`, `--mode`), the job file's `load` block (plan/JobFile.ts) and the load itself all read it.
 */
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/** A parsed target. */
export type Target =
  | { readonly _tag: "DuckDb"; readonly file: string }
  | { readonly _tag: "Postgres"; readonly url: string; readonly shown: string }

/** The load modes. */
export const loadModes = ["replace", "append", "merge"] as const
/** See {@link loadModes}. */
export type LoadMode = (typeof loadModes)[number]

/** Parses a target, or says what is wrong (without echoing a secret). */
export const parseTarget = (text: string): { readonly ok: Target } | { readonly refused: string } => {
  if (text.startsWith("duckdb:")) {
    const file = text.slice("duckdb:".length)
    if (file === "" || file === ":memory:") {
      return { refused: "duckdb: needs a database file, e.g. --into duckdb:warehouse.duckdb" }
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
        refused:
          "the PostgreSQL URL holds a password: remove it from the URL (postgresql://user@host:port/database) and set PGPASSWORD or use --password-file"
      }
    }
    // libpq's socket form: no host in the URL, the socket's folder as `?host=/path`.
    const socket = url.hostname === "" ? url.searchParams.get("host") : null
    if ((url.hostname === "" && socket === null) || url.pathname.length <= 1) {
      return {
        refused:
          "the PostgreSQL URL needs a host and a database: postgresql://user@host:port/database (a Unix socket: postgresql:///database?host=/path/to/socket/folder)"
      }
    }
    const shown = `${url.protocol}//${url.host}${url.pathname}${socket === null ? "" : `?host=${socket}`}`
    return { ok: { _tag: "Postgres", url: text, shown } }
  }
  return {
    refused: "unknown load target: use --into duckdb:FILE or --into postgresql://user@host:port/database"
  }
}
