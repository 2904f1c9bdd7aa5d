/**
 * `searchMetadata` against `@spotpipe/sandbox` over loopback while an object before the read position is deleted
 * (`metadata/delete`) between two pages: the stream fails `Incomplete` instead of ending one object short; read
 * again, the listing is whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"
import { failureOf } from "./exits.ts"

let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ rows: 10 })
})
afterAll(() => sandbox.close())

const run = <A, E>(use: (client: ThoughtSpotClient.Service) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.exit(Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, use)).pipe(
      Effect.provide(
        ThoughtSpotClient.layerNode({
          host: sandbox.url,
          auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
        })
      )
    )
  )

const answers = { metadata: [{ type: "ANSWER" as const }] }

describe("a metadata listing that changes while it is read", () => {
  it("an-answer-deleted-before-the-read-position-between-two-pages-fails-incomplete-not-short", async () => {
    const listed = await run((client) => Stream.runCollect(client.searchMetadata(answers, { pageSize: 100 })))
    if (Exit.isFailure(listed)) throw new Error(String(listed.cause))
    const all = listed.value.map((item) => item.metadata_id)
    expect(all.length).toBeGreaterThan(4)

    // Deleted as soon as the first page's first answer arrives, before the second page is asked for.
    let deleted: number | undefined
    const exit = await run((client) =>
      client.searchMetadata(answers, { pageSize: 2 }).pipe(
        Stream.tap((item) =>
          deleted !== undefined
            ? Effect.void
            : client
                .request({
                  method: "POST",
                  path: "metadata/delete",
                  body: JSON.stringify({ metadata: [{ identifier: item.metadata_id }] })
                })
                .pipe(Effect.map((response) => (deleted = response.status)))
        ),
        Stream.runCollect
      )
    )
    expect(deleted).toBe(204)
    const error = failureOf(exit)
    expect([error.operation, error.reason._tag]).toEqual(["searchMetadata", "Incomplete"])
    expect(error.message).toContain(
      `the page at position 2 starts with item ANSWER ${all[2]}, not with item ANSWER ${all[1]}`
    )
    expect(error.message).toContain("read it again")

    const again = await run((client) => Stream.runCollect(client.searchMetadata(answers, { pageSize: 2 })))
    if (Exit.isFailure(again)) throw new Error(String(again.cause))
    expect(again.value.map((item) => item.metadata_id)).toEqual(all.slice(1))
  })
})
