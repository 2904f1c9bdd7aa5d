/**
 * Resolves a job file's `connection` against the environment: host and username may be literal or named by a
 * variable, secrets are always read from the variable the job names. Missing variables are reported by name,
 * never with a value. Plain `http://` to a host other than loopback is refused unless the job (or the command
 * line) explicitly allows it: credentials would cross the network in clear text. There is no switch that turns
 * TLS verification off.
 */
import { Redacted, Schema } from "effect"
import type { ConnectionSpec } from "../plan/JobFile.ts"

/** The secret used to authenticate. */
export type JobCredential =
  | { readonly _tag: "Password"; readonly username: string; readonly password: Redacted.Redacted<string> }
  | { readonly _tag: "SecretKey"; readonly username: string; readonly secretKey: Redacted.Redacted<string> }
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string> }

/** A usable connection. */
export interface JobConnection {
  readonly host: string
  readonly credential: JobCredential
  readonly orgId: number | undefined
}

/** The connection cannot be made as configured; the message names the variable or setting to fix. */
export class JobConnectionError extends Schema.TaggedError<JobConnectionError>()("JobConnectionError", {
  message: Schema.String
}) {}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "::1", "[::1]"])

/** True for a host name that never leaves the machine (`localhost`, `127.0.0.0/8`, `::1`). */
export const isLoopbackHost = (hostname: string): boolean =>
  loopbackHosts.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * The one rule for a cluster URL, wherever it comes from (`--host`, `THOUGHTSPOT_HOST`, a job file): `https://`
 * is added when no scheme is given; `https://` always, `http://` only to loopback or with `allowInsecureHttp`; a
 * path is kept (a cluster behind a proxy at `https://proxy.example.com/thoughtspot`), without its trailing
 * slash; a user or password, a query or a fragment in the URL is refused, and so is the API path itself. Returns
 * the URL the client puts `/api/rest/2.0/…` after, or why it is refused. No message repeats the value.
 */
export const checkHostUrl = (
  host: string,
  allowInsecureHttp: boolean
): { readonly _tag: "Ok"; readonly url: string } | { readonly _tag: "Refused"; readonly message: string } => {
  const refused = (message: string) => ({ _tag: "Refused" as const, message })
  const trimmed = host.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return refused("the host is not a URL: use the form https://my-company.thoughtspot.cloud")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return refused(`the host must use http or https, not ${url.protocol}: use https://my-company.thoughtspot.cloud`)
  }
  if (url.username !== "" || url.password !== "") {
    return refused(
      "the host URL must not contain a user name or password: set the credentials through environment variables (THOUGHTSPOT_USERNAME, THOUGHTSPOT_PASSWORD, …)"
    )
  }
  // `new URL` drops an empty "?" or "#", so look at the text as given.
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(withScheme)) {
    return refused(
      "the host URL must not have a query (?…) or fragment (#…): give the cluster's address only, e.g. https://my-company.thoughtspot.cloud or https://proxy.example.com/thoughtspot"
    )
  }
  const path = url.pathname.replace(/\/+$/, "")
  if (/\/api\/rest(\/|$)/i.test(path)) {
    return refused(
      "the host URL must not include the API path (/api/rest/…): give the cluster's address only; spotpipe adds /api/rest/2.0"
    )
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    return refused(
      `refusing plain http:// to ${url.hostname}: credentials and data would travel unencrypted; use https://, or pass --allow-insecure-http (job file: "allowInsecureHttp": true) if you really mean it`
    )
  }
  return { _tag: "Ok", url: `${url.origin}${path}` }
}

/** The environment to read variables from (e.g. `process.env`). */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * Resolves `spec` against `env`. Defaults follow the CLI: `THOUGHTSPOT_HOST`, `THOUGHTSPOT_USERNAME`, and
 * `THOUGHTSPOT_TOKEN` / `THOUGHTSPOT_SECRET_KEY` / `THOUGHTSPOT_PASSWORD` (first one set wins) when the job
 * names no variable. `overrides` are command-line settings, which win over the job file.
 */
export const resolveConnection = (
  spec: ConnectionSpec,
  env: Environment,
  overrides: { readonly host?: string; readonly allowInsecureHttp?: boolean } = {}
):
  | { readonly _tag: "Ok"; readonly connection: JobConnection }
  | { readonly _tag: "Error"; readonly error: JobConnectionError } => {
  const fail = (message: string) => ({ _tag: "Error" as const, error: new JobConnectionError({ message }) })
  const read = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value === "" ? undefined : value
  }
  const hostVar = spec.hostEnv ?? "THOUGHTSPOT_HOST"
  const host = overrides.host ?? spec.host ?? read(hostVar)
  if (host === undefined) return fail(`no ThoughtSpot host: set ${hostVar}, or "host" in the job file's connection`)
  const checked = checkHostUrl(host, overrides.allowInsecureHttp ?? spec.allowInsecureHttp ?? false)
  if (checked._tag === "Refused") return fail(checked.message)
  const orgId = spec.orgId

  const named = spec.tokenEnv ?? spec.secretKeyEnv ?? spec.passwordEnv
  if (spec.tokenEnv !== undefined || (named === undefined && read("THOUGHTSPOT_TOKEN") !== undefined)) {
    const variable = spec.tokenEnv ?? "THOUGHTSPOT_TOKEN"
    const token = read(variable)
    if (token === undefined) return fail(`the job names ${variable} for the token, but it is not set`)
    return {
      _tag: "Ok",
      connection: { host: checked.url, credential: { _tag: "Token", token: Redacted.make(token) }, orgId }
    }
  }
  const userVar = spec.usernameEnv ?? "THOUGHTSPOT_USERNAME"
  const username = spec.username ?? read(userVar)
  if (username === undefined) {
    return fail(`no user name: set ${userVar}, or "username" in the job file's connection (or use a token variable)`)
  }
  const secretVar =
    spec.secretKeyEnv ??
    (spec.passwordEnv === undefined && read("THOUGHTSPOT_SECRET_KEY") !== undefined
      ? "THOUGHTSPOT_SECRET_KEY"
      : undefined)
  if (secretVar !== undefined) {
    const secretKey = read(secretVar)
    if (secretKey === undefined) return fail(`the job names ${secretVar} for the secret key, but it is not set`)
    return {
      _tag: "Ok",
      connection: {
        host: checked.url,
        credential: { _tag: "SecretKey", username, secretKey: Redacted.make(secretKey) },
        orgId
      }
    }
  }
  const passwordVar = spec.passwordEnv ?? "THOUGHTSPOT_PASSWORD"
  const password = read(passwordVar)
  if (password === undefined) {
    return fail(
      `no secret: set ${passwordVar} (or name another variable with "passwordEnv", "secretKeyEnv" or "tokenEnv" in the job file)`
    )
  }
  return {
    _tag: "Ok",
    connection: {
      host: checked.url,
      credential: { _tag: "Password", username, password: Redacted.make(password) },
      orgId
    }
  }
}
