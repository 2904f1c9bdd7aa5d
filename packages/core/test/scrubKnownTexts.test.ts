/**
 * The user name is no secret, and counting a password's characters inside it would tell them: every message
 * naming `john.smith2024` withheld says the password holds `smith2024`. So the password's characters inside a
 * known text do not count, while the password itself gets a text withheld everywhere else — in the scrubber, and
 * in the client's errors against a loopback server that echoes the sign-in.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import * as Classify from "../src/internal/classify.ts"
import { WITHHELD } from "../src/internal/scrub.ts"

describe("a known text that shares characters with a secret", () => {
  it("is left whole, and the secret elsewhere withholds the text", () => {
    const scrub = Classify.makeScrub(new Set(["smith2024!"]), ["john.smith2024"])
    expect(scrub("no user john.smith2024 here")).toBe("no user john.smith2024 here")
    expect(scrub('{"user":"john.smith2024"}')).toBe('{"user":"john.smith2024"}')
    expect(scrub("no user john.smith2024 with password smith2024! here")).toBe(WITHHELD)
    // JSON-escaped or URL-encoded the same.
    expect(scrub('{"user":"john.smith2024","pw":"smith2024!"}')).toBe(WITHHELD)
    expect(scrub("user=john.smith2024&pw=smith2024%21")).toBe(WITHHELD)
    // A short secret after a dot, which no word rule keeps: the user name keeps it.
    const short = Classify.makeScrub(new Set(["admin"]), ["ts.admin"])
    expect(short("user ts.admin refused")).toBe("user ts.admin refused")
    expect(short("user ts.admin, password admin")).toBe(WITHHELD)
  })

  it("equal to the secret, it withholds the text like the secret (every echo of one is the other)", () => {
    expect(Classify.makeScrub(new Set(["tsadmin-2024"]), ["tsadmin-2024"])("user tsadmin-2024")).toBe(WITHHELD)
  })
})

describe("ThoughtSpotClient: the user name in a refused sign-in", () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { username: string; password: string }
        const debug = `bad password '${body.password}' for user ${body.username}`
        response
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: { code: 10097, debug } } }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it("withholds the server message that echoes the password, and names the user", async () => {
    const password = "smith2024!x"
    const message = await Effect.runPromise(
      Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, (client) => client.system).pipe(
        Effect.provide(
          Layer.orDie(
            ThoughtSpotClient.layerNode({ host: url, auth: Auth.password({ username: "john.smith2024", password }) })
          )
        ),
        Effect.flip,
        Effect.map((error) => error.message)
      )
    )
    expect(message).toContain(`(HTTP 401, code 10097): ${WITHHELD}`)
    expect(message).not.toContain("bad password")
    expect(message).not.toContain("smith2024!")
  })
})
