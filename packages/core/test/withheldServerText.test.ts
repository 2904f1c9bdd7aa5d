/**
 * A server's text that holds a secret is withheld whole, not with the secret replaced inside it: ThoughtSpot's
 * fixed "Authentication failed: wrong username, password or secret key." with a marker in place of one word says
 * that word is the password. The status, code and incident id stay; the client's own words around a piece that
 * came from the network stay too.
 */

import type { AddressInfo } from "node:net"
import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"
import { WITHHELD } from "../src/internal/scrub.ts"

/** A 401 as a cluster sends it (shape B): the incident id in its own field and inside the message. */
const refusal = (incident: string, trace = "tracing-disabled") =>
  JSON.stringify({
    error: {
      message: {
        debug: {
          code: 10097,
          incident_id_guid: incident,
          trace_id_guid: trace,
          debug: JSON.stringify([
            `Error Code: 10097 Incident Id: ${incident}\nError Message: Authentication failed: wrong username, password or secret key.`
          ])
        }
      }
    }
  })

const refused = (password: string, body: string) =>
  Classify.fromResponse({
    operation: "auth/token/full",
    status: 401,
    retryAfter: undefined,
    body,
    nowMillis: 0,
    scrub: Classify.makeScrub(new Set([password]), ["tsUserA"])
  })

describe("a server message holding text equal to a secret", () => {
  const incident = "3c3e5428-5b69-4095-810e-844d496de2ae"

  it("is withheld whole for a password that is one of its words, the status, code and incident id kept", () => {
    for (const password of ["wrong", "failed"]) {
      const error = refused(password, refusal(incident))
      expect(error.reason).toMatchObject({ status: 401, code: 10097, incidentId: incident, serverMessage: WITHHELD })
      expect(error.message, password).toBe(
        `auth/token/full: Authentication: ThoughtSpot rejected the credentials; check the username and password, secret key or token (HTTP 401, code 10097, incident ${incident}): ${WITHHELD}`
      )
      expect(error.message).not.toContain("Authentication failed")
      expect(error.message).not.toContain("<redacted>")
    }
  })

  it("is shown as it is when it holds no secret", () => {
    const error = refused("Guest@123!", refusal(incident))
    expect(error.reason.serverMessage).toBe(
      `Error Code: 10097 Incident Id: ${incident} Error Message: Authentication failed: wrong username, password or secret key.`
    )
  })

  it("an id that holds a secret is left out; the message and the other facts stay", () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.secret-token"
    const error = Classify.fromResponse({
      operation: "searchData",
      status: 400,
      retryAfter: undefined,
      body: JSON.stringify({
        error: { message: { code: 10002, incident_id_guid: token, trace_id_guid: "tr-1", debug: "bad column" } }
      }),
      nowMillis: 0,
      scrub: Classify.makeScrub(new Set([token]))
    })
    expect(error.reason).toMatchObject({ status: 400, code: 10002, traceId: "tr-1", serverMessage: "bad column" })
    expect(error.reason.incidentId).toBeUndefined()
    expect(error.message).not.toContain("eyJhbGci")
  })

  it.live("a transport failure withholds only the piece the server sent", () =>
    Effect.gen(function* () {
      // Not HTTP: its first bytes are shown, and these echo the password.
      const server = net.createServer((socket) => {
        socket.once("data", () => socket.end("wrong password\r\n"))
        socket.on("error", () => {})
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)))
      const port = (server.address() as AddressInfo).port
      const error = yield* Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.system).pipe(
        Effect.provide(
          Layer.orDie(
            ThoughtSpotClient.layerNode({
              host: `http://127.0.0.1:${port}`,
              auth: Auth.password({ username: "tsUserA", password: "wrong" })
            })
          )
        ),
        Effect.flip,
        Effect.ensuring(Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve()))))
      )
      expect(error.reason._tag).toBe("Transport")
      expect(error.reason.message).toBe(
        `the server at http://127.0.0.1:${port} did not answer HTTP (its first bytes: "${WITHHELD}"): if it speaks HTTPS, use https://127.0.0.1:${port}; else check the host URL and port`
      )
    })
  )
})
