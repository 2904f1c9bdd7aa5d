/**
 * A tiny loopback HTTP server that answers every request with one canned response (status, headers, body),
 * for feeding the client bodies no real cluster should send. Binds 127.0.0.1 on a free port.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/** What the server answers with. */
export interface CannedResponse {
  readonly status: number
  readonly contentType?: string
  readonly body: string | Buffer
}

/** A running canned server. */
export interface CannedServer {
  readonly url: string
  /** Requests received so far. */
  readonly requests: () => number
  readonly close: () => Promise<void>
}

/** Starts a server that answers `respond(path, body)` to every request (`body`: the request's JSON, if any). */
export const startCannedServer = async (
  respond: (path: string, body: unknown) => CannedResponse
): Promise<CannedServer> => {
  let requests = 0
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      requests++
      let request: unknown
      try {
        request = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        request = undefined
      }
      const answer = respond(req.url ?? "/", request)
      const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body
      const headers: Record<string, string | number> = { "content-length": body.length }
      if (answer.contentType !== undefined) headers["content-type"] = answer.contentType
      res.writeHead(answer.status, headers)
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
