/**
 * The CLI's one rule for a cluster URL, wherever it comes from (`--host`, `THOUGHTSPOT_HOST`, a job file, a
 * profile read from the config file or set by `spotpipe config set host`): core's rule with the CLI's policy on
 * top. Kept apart from Connection.ts so the config file's reader can apply it too (Connection.ts reads profiles).
 */
import { ThoughtSpotClient } from "@spotpipe/core"

// Where credentials go instead of the host URL, in the CLI's terms.
const credentialsAdvice =
  "set the credentials through environment variables (THOUGHTSPOT_USERNAME, THOUGHTSPOT_PASSWORD, …), --password-file or a profile's secret"

const loopbackHosts = new Set(["localhost", "127.0.0.1", "::1", "[::1]"])

/** True for a host name that never leaves the machine (`localhost`, `127.0.0.0/8`, `::1`). */
export const isLoopbackHost = (hostname: string): boolean =>
  loopbackHosts.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * Whether `hostname` (as a URL parser gives it: lower case, an international name in punycode) can be looked up:
 * an IP address, or dot-separated labels of letters, digits, `-` and `_` (some internal names have one) that
 * neither start nor end with `-` (a trailing dot is allowed). Anything else would only fail as "cannot resolve".
 */
const isHostName = (hostname: string): boolean =>
  hostname.startsWith("[") ||
  hostname
    .replace(/\.$/, "")
    .split(".")
    .every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label))

/**
 * The one rule for a cluster URL, wherever it comes from (`--host`, `THOUGHTSPOT_HOST`, a job file, a profile):
 * `@spotpipe/core`'s (`ThoughtSpotClient.clusterUrlProblem`: http(s), no user or password, query, fragment,
 * whitespace inside or API path; a path such as a proxy's `https://proxy.example.com/thoughtspot` is kept), with
 * the CLI's own policy on top: `https://` is added when no scheme is given, another scheme is named, and plain
 * `http://` goes only to loopback or with `allowInsecureHttp`. A refusal says core's words after "the host ".
 * Returns the URL the client puts `/api/rest/2.0/…` after (origin and path, without a trailing slash), or why it
 * is refused. No message repeats the value. There is no switch that turns TLS verification off.
 */
export const checkHostUrl = (
  host: string,
  allowInsecureHttp: boolean,
  credentials: string = credentialsAdvice
): { readonly _tag: "Ok"; readonly url: string } | { readonly _tag: "Refused"; readonly message: string } => {
  const refused = (message: string) => ({ _tag: "Refused" as const, message })
  const trimmed = host.trim()
  // `http:`/`https:` with too few slashes is a mistyped scheme, for core to refuse: read as a bare host it would
  // become a host named "https" (`https:/ts.example.com` → https://https/ts.example.com).
  const other = /^https?:/i.test(trimmed) ? undefined : /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]
  if (other !== undefined) {
    return refused(
      `the host URL's scheme is ${other.toLowerCase()}, not https or http: use https://my-company.thoughtspot.cloud`
    )
  }
  // Checked here before a bare host gets its `https://`, where a URL parser would drop a tab or take `h:1 pw` apart.
  if (/[\s\p{Cc}]/u.test(trimmed)) {
    return refused(
      "the host must not contain whitespace or control characters: set the cluster's address in one piece, e.g. https://my-company.thoughtspot.cloud"
    )
  }
  if (trimmed.startsWith("-")) {
    return refused(
      'the host starts with "-", as a flag does and no host name does: give the cluster\'s address, e.g. https://my-company.thoughtspot.cloud'
    )
  }
  // `http//ts.example.com`: read as a bare host, it would be a host named "http".
  if (/^https?\/\//i.test(trimmed)) {
    return refused('the host URL misses the ":" after its scheme: write it as https://my-company.thoughtspot.cloud')
  }
  const withScheme = trimmed === "" || /^https?:/i.test(trimmed) ? trimmed : `https://${trimmed}`
  const problem = ThoughtSpotClient.clusterUrlProblem(withScheme, { credentials })
  if (problem !== undefined) return refused(`the host ${problem}`)
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    // Core parsed it: unreachable, but never let a host through unparsed.
    return refused("the host is not a URL: use the form https://my-company.thoughtspot.cloud")
  }
  if (!isHostName(url.hostname)) {
    return refused(
      'the host name cannot be looked up: its parts between dots are letters, digits, "-" and "_", none empty nor starting or ending with "-"; use the form https://my-company.thoughtspot.cloud'
    )
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    return refused(
      `refusing plain http:// to ${url.hostname}: credentials and data would travel unencrypted; use https://, or pass --allow-insecure-http (job file: "allowInsecureHttp": true) if you really mean it`
    )
  }
  return { _tag: "Ok", url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` }
}
