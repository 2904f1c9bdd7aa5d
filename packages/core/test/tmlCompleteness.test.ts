/**
 * `exportTml` accounts for every object asked for by identifier, not by count: with `export_associated` the
 * objects an object is built on come as items of their own, and must not hide one that is missing. Real answers
 * come from the sandbox; the ones it never gives (an object silently left out) from a tiny loopback server.
 */
import * as http from "node:http"
import type * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, type Exit } from "effect"
import { Auth, ThoughtSpotClient, ThoughtSpotError, type Tml } from "../src/index.ts"
import { failureOf, successOf } from "./exits.ts"

let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ rows: 10 })
})
afterAll(() => sandbox.close())

const exportAt = (host: string, auth: Auth.AuthMethod, request: Tml.TmlExportRequest) =>
  Effect.runPromiseExit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.exportTml(request)).pipe(
      Effect.provide(ThoughtSpotClient.layerNode({ host, auth, retry: { baseDelayMillis: 1, maxDelayMillis: 5 } }))
    )
  )

const onSandbox = (request: Tml.TmlExportRequest) =>
  exportAt(sandbox.url, Auth.password({ username: fixtures.user.username, password: fixtures.user.password }), request)

/** A loopback server answering `metadata/tml/export` with `items`, as JSON. */
const answering = async (items: ReadonlyArray<unknown>) => {
  const server = http.createServer((request, response) => {
    request.resume()
    request.on("end", () => {
      const body = request.url?.endsWith("/metadata/tml/export") ? JSON.stringify(items) : "{}"
      response.writeHead(request.url?.endsWith("/metadata/tml/export") ? 200 : 404, {
        "content-type": "application/json"
      })
      response.end(body)
    })
  })
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
  )
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const onCanned = async (items: ReadonlyArray<unknown>, request: Tml.TmlExportRequest) => {
  const server = await answering(items)
  try {
    return await exportAt(server.url, Auth.bearerToken("pre-issued-token-value"), request)
  } finally {
    await server.close()
  }
}

const failed = <A, E>(exit: Exit.Exit<A, E>): ThoughtSpotError.ThoughtSpotError => {
  const error = failureOf(exit)
  if (!ThoughtSpotError.isThoughtSpotError(error)) throw new Error(`expected a ThoughtSpotError: ${String(error)}`)
  return error
}

const ok = (id: string, name: string, type: string) => ({
  info: { id, name, filename: `${name}.${type}.tml`, type, status: { status_code: "OK" } },
  edoc: `{"guid":"${id}"}`
})

const ANSWER = "0f7a0000-0000-4000-8000-00000000a115"
const LIVEBOARD = "0f7a0000-0000-4000-8000-0000000001b0"
const MODEL = "0f7a0000-0000-4000-8000-00000000ode1"

describe("TML export accounts for every object asked for", () => {
  it("a missing object hidden behind an associated item fails Incomplete naming it", async () => {
    // Two objects asked for, two items back: the answer and the model it is built on; the liveboard is missing.
    const error = failed(
      await onCanned([ok(ANSWER, "Revenue", "answer"), ok(MODEL, "Orders", "model")], {
        metadata: [
          { identifier: ANSWER, type: "ANSWER" },
          { identifier: LIVEBOARD, type: "LIVEBOARD" }
        ],
        export_associated: true
      })
    )
    expect([error.operation, error.reason._tag, error.isRetryable]).toEqual(["exportTml", "Incomplete", false])
    expect(error.reason.message).toContain(`has no item for LIVEBOARD "${LIVEBOARD}"`)
    expect(error.reason.message).not.toContain(ANSWER)
  })

  it("an associated object named like a missing object of another kind does not stand for it", async () => {
    const error = failed(
      await onCanned([ok(MODEL, "Orders", "model")], {
        metadata: [{ identifier: "Orders", type: "ANSWER" }],
        export_associated: true
      })
    )
    expect(error.reason._tag).toBe("Incomplete")
    expect(error.reason.message).toContain('has no item for ANSWER "Orders"')
  })

  it("a failed item that names neither the identifier nor the name stands for the object, as a failure", async () => {
    // Asked for by name; the error item carries the GUID the name resolved to, and no name.
    const items = successOf(
      await onCanned(
        [{ info: { id: LIVEBOARD, status: { status_code: "ERROR", error_message: "User does not have access" } } }],
        { metadata: [{ identifier: "Sales Overview", type: "LIVEBOARD" }] }
      )
    )
    expect(items).toMatchObject([{ _tag: "TmlFailed", id: LIVEBOARD, message: "User does not have access" }])
  })

  it("GUIDs match without regard to case, names of a fitting kind match, duplicates need one item", async () => {
    const items = successOf(
      await onCanned([ok(ANSWER, "Revenue", "answer"), ok(LIVEBOARD, "Sales", "liveboard")], {
        metadata: [
          { identifier: ANSWER.toUpperCase(), type: "ANSWER" },
          { identifier: ANSWER },
          { identifier: "Sales", type: "LIVEBOARD" }
        ]
      })
    )
    expect(items.map((i) => i.id)).toEqual([ANSWER, LIVEBOARD])
  })

  it("an object's feedback item does not stand for the object itself", async () => {
    const error = failed(
      await onCanned([ok(LIVEBOARD, "Sales", "feedback")], {
        metadata: [
          { identifier: LIVEBOARD, type: "LIVEBOARD" },
          { identifier: LIVEBOARD, type: "FEEDBACK" }
        ]
      })
    )
    expect(error.reason._tag).toBe("Incomplete")
    expect(error.reason.message).toContain(`has no item for LIVEBOARD "${LIVEBOARD}"`)
  })

  it("an object asked for without an identifier needs an item of its own", async () => {
    const error = failed(
      await onCanned([ok(ANSWER, "Revenue", "answer")], {
        metadata: [{ identifier: ANSWER, type: "ANSWER" }, { session_identifier: "session-1" }]
      })
    )
    expect(error.reason._tag).toBe("Incomplete")
    expect(error.reason.message).toContain("has no item for 1 asked for without an identifier")
  })

  it("the sandbox's answers account for every object: by GUID, by name, principals, errors, associated", async () => {
    const primary = fixtures.orgs[0]!
    const answer = Object.values(primary.objects).find((o) => o.type === "ANSWER")!
    const liveboardName = Object.keys(primary.objects).find((name) => primary.objects[name]!.type === "LIVEBOARD")!
    const unknown = "00000000-0000-0000-0000-000000000000"
    const items = successOf(
      await onSandbox({
        metadata: [
          { identifier: answer.id },
          { identifier: liveboardName, type: "LIVEBOARD" },
          { identifier: fixtures.ordersTable.id, type: "LOGICAL_TABLE" },
          { identifier: fixtures.user.id },
          { identifier: unknown },
          { identifier: "No Such Liveboard", type: "LIVEBOARD" },
          { identifier: "a", type: "FEEDBACK" }
        ],
        export_associated: true
      })
    )
    expect(items.map((i) => [i._tag, i._tag === "TmlExported" ? i.name : i.id])).toEqual([
      ["TmlExported", Object.keys(primary.objects).find((name) => primary.objects[name] === answer)],
      ["TmlExported", fixtures.ordersTable.name],
      ["TmlExported", liveboardName],
      ["TmlExported", fixtures.user.username],
      ["TmlFailed", unknown],
      ["TmlFailed", "No Such Liveboard"],
      ["TmlFailed", "a"]
    ])
  })
})
