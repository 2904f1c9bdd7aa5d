/**
 * Loopback proxies in front of a sandbox that rewrite what passes, or answer a request themselves as a cluster the
 * sandbox cannot play would: the renaming one replaces a name by another (as JSON text) in every response body, and
 * the other way round in every request body, so the CLI sees objects with names no sandbox fixture has — e.g. names
 * carrying terminal escape sequences — while the sandbox answers as usual. A rewriting proxy may also hold a request
 * unanswered, as a cluster that stopped responding does.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/** A running proxy. */
export interface RenamingProxy {
  readonly url: string
  readonly close: () => Promise<void>
}

const asJsonText = (name: string) => JSON.stringify(name).slice(1, -1)

const replaceAll = (text: string, pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.reduce((out, [from, to]) => out.split(asJsonText(from)).join(asJsonText(to)), text)

/** A request as a rewriting proxy received it: its path (and query) and its body. */
export interface ProxiedRequest {
  readonly url: string
  readonly body: string | undefined
}

/**
 * How a rewriting proxy changes what passes: the request body going out, the response text coming back; `reply`
 * answers a request itself (the status and JSON body it returns) instead of passing it on.
 */
export interface Rewrite {
  readonly request?: (body: string) => string
  readonly response?: (text: string, request: ProxiedRequest) => string
  readonly reply?: (request: ProxiedRequest) => { readonly status: number; readonly body: string } | undefined
  /** A request it never answers (a cluster that does not respond to it); the client gives up or goes away. */
  readonly hold?: (request: ProxiedRequest) => boolean
}

/** Starts a loopback proxy to `target` that passes every request and response through `rewrite`. */
export const startRewritingProxy = async (target: string, rewrite: Rewrite): Promise<RenamingProxy> => {
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && key !== "host" && key !== "content-length") headers[key] = value
      }
      const sent = chunks.length === 0 ? undefined : Buffer.concat(chunks).toString("utf8")
      const url = req.url ?? "/"
      if (rewrite.hold?.({ url, body: sent }) === true) return
      const own = rewrite.reply?.({ url, body: sent })
      if (own !== undefined) {
        res.writeHead(own.status, { "content-type": "application/json", "content-length": Buffer.byteLength(own.body) })
        res.end(own.body)
        return
      }
      const body = sent === undefined || rewrite.request === undefined ? sent : rewrite.request(sent)
      fetch(`${target}${url}`, {
        method: req.method ?? "GET",
        headers,
        ...(body === undefined ? {} : { body })
      })
        .then(async (response) => {
          const received = await response.text()
          const text = rewrite.response === undefined ? received : rewrite.response(received, { url, body })
          const out = Buffer.from(text, "utf8")
          const type = response.headers.get("content-type")
          res.writeHead(response.status, {
            "content-length": out.length,
            ...(type === null ? {} : { "content-type": type })
          })
          res.end(out)
        })
        .catch(() => {
          res.writeHead(502)
          res.end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Starts a proxy to `target` showing each `[name, shownAs]` of `renames` under its new name. */
export const startRenamingProxy = (
  target: string,
  renames: ReadonlyArray<readonly [string, string]>
): Promise<RenamingProxy> => {
  const back = renames.map(([name, shown]) => [shown, name] as const)
  return startRewritingProxy(target, {
    request: (body) => replaceAll(body, back),
    response: (text) => replaceAll(text, renames)
  })
}
