/**
 * A real PostgreSQL engine (PGlite) on a loopback port for load tests. pglite-socket's own server hands PGlite one
 * wire message at a time, and PGlite's single-user backend cannot wait for the next message inside
 * `COPY … FROM STDIN` (it ends the connection with "protocol synchronization was lost"). This server speaks the
 * same wire protocol through PGlite's `execProtocolRaw`, but hands it a COPY whole: it answers the client's COPY
 * query with CopyInResponse itself, gathers the CopyData messages up to CopyDone or CopyFail, then runs the query
 * and its data in one call and passes PGlite's answer on (without the CopyInResponse already sent). Everything
 * else — parsing, types, constraints, transactions — is PGlite's PostgreSQL.
 */
import * as Net from "node:net"
import { PGlite } from "@electric-sql/pglite"

/** A running server: its port, the database (for direct checks) and how to stop it. */
export interface PgliteServer {
  readonly port: number
  readonly url: string
  readonly db: PGlite
  readonly close: () => Promise<void>
}

const copyIn = /^\s*COPY\b[\s\S]*\bFROM\s+STDIN\b/i

/** Strips the first CopyInResponse ('G') message from a backend answer. */
const withoutCopyInResponse = (answer: Uint8Array): Uint8Array => {
  const buffer = Buffer.from(answer)
  let at = 0
  while (at + 5 <= buffer.length) {
    const length = buffer.readInt32BE(at + 1)
    if (buffer[at] === 0x47) return Buffer.concat([buffer.subarray(0, at), buffer.subarray(at + 1 + length)])
    at += 1 + length
  }
  return answer
}

/** Starts PGlite behind a loopback port (port 0: any free one). */
export const startPgliteServer = async (): Promise<PgliteServer> => {
  const db = await PGlite.create()
  let queue: Promise<unknown> = Promise.resolve()
  let closing = false
  const run = (message: Uint8Array) => {
    const next = queue.then(() => db.execProtocolRaw(message))
    queue = next.catch(() => undefined)
    return next
  }
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => {
      sockets.delete(socket)
      // One backend serves every connection: a client gone mid-transaction must not leave it open for the next.
      work = work.then(async () => {
        if (!closing && db.isInTransaction()) await run(Buffer.from([0x51, 0, 0, 0, 13, ...Buffer.from("ROLLBACK"), 0]))
      })
    })
    socket.on("error", () => socket.destroy())
    let pending = Buffer.alloc(0)
    let started = false
    let copy: Array<Buffer> | undefined
    let work: Promise<void> = Promise.resolve()
    const handle = async (message: Buffer) => {
      if (copy !== undefined) {
        copy.push(message)
        const type = message[0]
        if (type === 0x63 || type === 0x66) {
          const whole = Buffer.concat(copy)
          copy = undefined
          socket.write(withoutCopyInResponse(await run(whole)))
        }
        return
      }
      if (message[0] === 0x51 && copyIn.test(message.subarray(5, message.length - 1).toString("utf8"))) {
        copy = [message]
        // CopyInResponse: text format, no per-column formats (the client does not read them).
        socket.write(Buffer.from([0x47, 0, 0, 0, 7, 0, 0, 0]))
        return
      }
      socket.write(await run(message))
    }
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        if (!started) {
          if (pending.length < 8) return
          const length = pending.readInt32BE(0)
          if (pending.readInt32BE(4) === 80877103) {
            // SSLRequest: no TLS here.
            pending = pending.subarray(8)
            socket.write("N")
            continue
          }
          if (pending.readInt32BE(4) === 80877102) {
            // CancelRequest: PGlite runs each message to its end, so there is nothing to cancel; the connection is
            // closed, as PostgreSQL closes it once it has passed the request on.
            socket.end()
            return
          }
          if (pending.length < length) return
          const message = pending.subarray(0, length)
          pending = pending.subarray(length)
          started = true
          work = work.then(() => handle(message))
          continue
        }
        if (pending.length < 5) return
        const length = 1 + pending.readInt32BE(1)
        if (pending.length < length) return
        const message = Buffer.from(pending.subarray(0, length))
        pending = pending.subarray(length)
        if (message[0] === 0x58) {
          socket.end()
          return
        }
        work = work
          .then(() => handle(message))
          .catch(() => {
            socket.destroy()
          })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as Net.AddressInfo).port
  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    db,
    close: async () => {
      closing = true
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await queue
      await db.close()
    }
  }
}
