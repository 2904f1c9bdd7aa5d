/**
 * A password check in front of a PostgreSQL test server (PGlite accepts any password): a loopback port that reads
 * the client's startup message, asks for the password with AuthenticationCleartextPassword as PostgreSQL does,
 * refuses a wrong or missing one with PostgreSQL's own error (28P01), and otherwise opens a connection to the
 * server behind it, sends it the startup message and relays bytes both ways. So a real client runs end to end
 * against a real engine with a password enforced.
 */
import * as Net from "node:net"

/** A running front: its port, a URL without the password, and how to stop it. */
export interface PasswordFront {
  readonly port: number
  readonly url: string
  /** How many logins were refused. */
  readonly refused: () => number
  /** How many sockets (clients and their relays) are open now. */
  readonly open: () => number
  readonly close: () => Promise<void>
}

const message = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(5)
  head.write(type, 0, "latin1")
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const authFailed = (user: string): Buffer =>
  message(
    "E",
    Buffer.concat([
      ...[
        ["S", "FATAL"],
        ["V", "FATAL"],
        ["C", "28P01"],
        ["M", `password authentication failed for user "${user}"`]
      ].map(([code, text]) => Buffer.from(`${code}${text}\0`, "utf8")),
      Buffer.from([0])
    ])
  )

/** The startup message's parameters (user, database, …). */
const startupParameters = (startup: Buffer): Record<string, string> => {
  const parts = startup.subarray(8).toString("utf8").split("\0")
  const parameters: Record<string, string> = {}
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) parameters[parts[i]!] = parts[i + 1]!
  return parameters
}

/** Starts a front on a loopback port that lets in only `password`, forwarding to `backendPort`. */
export const startPasswordFront = async (backendPort: number, password: string): Promise<PasswordFront> => {
  let refused = 0
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((client) => {
    sockets.add(client)
    client.on("close", () => sockets.delete(client))
    client.on("error", () => client.destroy())
    let pending = Buffer.alloc(0)
    let startup: Buffer | undefined
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      if (startup === undefined) {
        if (pending.length < 8) return
        const length = pending.readInt32BE(0)
        if (pending.readInt32BE(4) === 80877103) {
          // SSLRequest: no TLS here.
          pending = pending.subarray(8)
          client.write("N")
          if (pending.length > 0) onData(Buffer.alloc(0))
          return
        }
        if (pending.length < length) return
        startup = Buffer.from(pending.subarray(0, length))
        pending = pending.subarray(length)
        // AuthenticationCleartextPassword.
        client.write(message("R", Buffer.from([0, 0, 0, 3])))
      }
      if (pending.length < 5) return
      const length = 1 + pending.readInt32BE(1)
      if (pending.length < length) return
      const answer = pending.subarray(0, length)
      const rest = Buffer.from(pending.subarray(length))
      client.off("data", onData)
      const given = answer[0] === 0x70 ? answer.subarray(5, answer.length - 1).toString("utf8") : undefined
      if (given !== password) {
        refused++
        client.end(authFailed(startupParameters(startup).user ?? ""))
        return
      }
      const backend = Net.connect(backendPort, "127.0.0.1")
      sockets.add(backend)
      backend.on("close", () => {
        sockets.delete(backend)
        client.destroy()
      })
      backend.on("error", () => client.destroy())
      client.on("close", () => backend.destroy())
      backend.write(startup)
      if (rest.length > 0) backend.write(rest)
      client.pipe(backend)
      backend.pipe(client)
    }
    client.on("data", onData)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as Net.AddressInfo).port
  return {
    port,
    url: `postgresql://loader@127.0.0.1:${port}/postgres`,
    refused: () => refused,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
