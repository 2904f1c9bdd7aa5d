/**
 * A loopback proxy in front of a sandbox that renames objects: in every response body a name is replaced by
 * another (as JSON text), and in every request body the other way round, so the CLI sees objects with names no
 * sandbox fixture has — e.g. names carrying terminal escape sequences — while the sandbox answers as usual.
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

/** Starts a proxy to `target` showing each `[name, shownAs]` of `renames` under its new name. */
export const startRenamingProxy = async (
  target: string,
  renames: ReadonlyArray<readonly [string, string]>
): Promise<RenamingProxy> => {
  const back = renames.map(([name, shown]) => [shown, name] as const)
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && key !== "host" && key !== "content-length") headers[key] = value
      }
      const body = chunks.length === 0 ? undefined : replaceAll(Buffer.concat(chunks).toString("utf8"), back)
      fetch(`${target}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body === undefined ? {} : { body })
      })
        .then(async (response) => {
          const text = replaceAll(await response.text(), renames)
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
