/**
 * The one rule for a cluster URL, whichever way a client is built (`make`, `layer`, `layerNode` with a `host`
 * option; `layerConfig` and `authConfig` with `THOUGHTSPOT_HOST`), and for a program that checks a host its users
 * give before building a client (`ThoughtSpotClient.clusterUrlProblem`): an `http://` or `https://` URL, without a
 * user name or password, a query or a fragment, whitespace or control characters inside it, and without an API
 * path (`/api/rest/…`, which the client adds; `/callosum/…`, the v1 API's). A path is kept (a cluster behind a proxy
 * at `https://proxy.example.com/thoughtspot`), and so is a trailing slash (the client puts `/api/rest/2.0/…` after
 * the URL without it); whitespace around the URL is no part of it.
 */

/**
 * Where a host came from, for the advice on credentials written into it: a client option (`Auth.password`), the
 * environment (`THOUGHTSPOT_USERNAME` …), or a program's own advice (`credentials`, the words after "must not
 * contain a user name or password: ").
 */
export type HostSource = "option" | "environment" | { readonly credentials: string }

const example = "https://my-company.thoughtspot.cloud"

const credentialsAdvice = (source: HostSource): string =>
  source === "option"
    ? "give the credentials as the client's auth (e.g. Auth.password)"
    : source === "environment"
      ? "set THOUGHTSPOT_USERNAME with THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY, or THOUGHTSPOT_TOKEN"
      : source.credentials

/**
 * What is wrong with `host` as a cluster URL, as the end of a sentence that starts with the setting's name
 * (`host …`, `THOUGHTSPOT_HOST …`), or `undefined` when it is one. The value is never repeated: it may hold a
 * password.
 */
export const clusterUrlProblem = (host: unknown, source: HostSource = "option"): string | undefined => {
  if (typeof host !== "string" || host.trim() === "") {
    return `is not set (or is empty): ${source === "option" ? "give" : "set it to"} the cluster's address, e.g. ${example}`
  }
  const text = host.trim()
  let url: URL | undefined
  try {
    url = /^https?:\/\//i.test(text) ? new URL(text) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined) {
    // The port is what a URL parser refused in an otherwise good address: said as such (its digits hold no secret).
    // The port holds no `@` or bracket: user info (`me:pw@…`) or a broken IPv6 address is no port.
    const port = /^https?:\/\/(?:[^/?#]*@)?(?:\[[^\]/?#]*\]|[^:/?#@[\]]+):([^/?#@[\]]*)(?:[/?#]|$)/i.exec(text)?.[1]
    if (port !== undefined && /^\d+$/.test(port) && Number(port) > 65535) {
      return `has port ${port.length > 12 ? `${port.slice(0, 12)}…` : port}, out of range: a port is 1 to 65535 (e.g. https://my-company.thoughtspot.cloud:8443)`
    }
    if (port !== undefined && port !== "" && !/^\d+$/.test(port)) {
      return `has a port that is not a number: write the port in digits after the host (e.g. https://my-company.thoughtspot.cloud:8443)`
    }
    return `is not a URL with http:// or https://: set the cluster's address, e.g. ${example}`
  }
  if (url.username !== "" || url.password !== "") {
    return `must not contain a user name or password: ${credentialsAdvice(source)}`
  }
  // `new URL` drops an empty "?" or "#": look at the text as given.
  if (/[?#]/.test(text)) {
    return `must not have a query (?…) or fragment (#…): set the cluster's address only, e.g. ${example}`
  }
  // A URL parser drops a tab or line break inside the text (`https://ts.exa\nmple.com` is ts.example.com) and
  // encodes a space in the path: either would send requests somewhere other than what was written.
  if (/[\s\p{Cc}]/u.test(text)) {
    return `must not contain whitespace or control characters: set the cluster's address in one piece, e.g. ${example}`
  }
  if (/\/api\/rest(\/|$)/i.test(url.pathname)) {
    return "must not include the API path (/api/rest/…): set the cluster's address only; the client adds /api/rest/2.0"
  }
  if (/\/callosum(\/|$)/i.test(url.pathname)) {
    return "must not include the v1 API path (/callosum/…): set the cluster's address only; the client adds /api/rest/2.0"
  }
  return undefined
}
