/**
 * The one rule for a cluster URL, whichever way a client is built (`make`, `layer`, `layerNode` with a `host`
 * option; `layerConfig` and `authConfig` with `THOUGHTSPOT_HOST`): an `http://` or `https://` URL, without a user
 * name or password, a query or a fragment, and without the API path, which the client adds. A path is kept (a
 * cluster behind a proxy at `https://proxy.example.com/thoughtspot`), and so is a trailing slash (the client puts
 * `/api/rest/2.0/…` after the URL without it).
 */

/** Where a host came from, for the advice on credentials written into it. */
export type HostSource = "option" | "environment"

const example = "https://my-company.thoughtspot.cloud"

/**
 * What is wrong with `host` as a cluster URL, as the end of a sentence that starts with the setting's name
 * (`host …`, `THOUGHTSPOT_HOST …`), or `undefined` when it is one. The value is never repeated: it may hold a
 * password.
 */
export const clusterUrlProblem = (host: unknown, source: HostSource): string | undefined => {
  if (typeof host !== "string" || host.trim() === "") {
    return `is not set (or is empty): ${source === "option" ? "give" : "set it to"} the cluster's address, e.g. ${example}`
  }
  let url: URL | undefined
  try {
    url = /^https?:\/\//i.test(host.trim()) ? new URL(host.trim()) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined) {
    return `is not a URL with http:// or https://: set the cluster's address, e.g. ${example}`
  }
  if (url.username !== "" || url.password !== "") {
    return source === "option"
      ? "must not contain a user name or password: give the credentials as the client's auth (e.g. Auth.password)"
      : "must not contain a user name or password: set THOUGHTSPOT_USERNAME with THOUGHTSPOT_PASSWORD or THOUGHTSPOT_SECRET_KEY, or THOUGHTSPOT_TOKEN"
  }
  // `new URL` drops an empty "?" or "#": look at the text as given.
  if (/[?#]/.test(host)) {
    return `must not have a query (?…) or fragment (#…): set the cluster's address only, e.g. ${example}`
  }
  if (/\/api\/rest(\/|$)/i.test(url.pathname)) {
    return "must not include the API path (/api/rest/…): set the cluster's address only; the client adds /api/rest/2.0"
  }
  return undefined
}
