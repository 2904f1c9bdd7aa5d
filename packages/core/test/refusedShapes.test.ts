/**
 * An answer core refuses for its shape says which field is missing or wrong and what to do, on one line: data
 * pages (read whole or lent to a reader) and the JSON answers decoded by schema.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type { ThoughtSpotError } from "../src/index.ts"
import { failureOf } from "./exits.ts"
import { dataReply, makeFake, testOptions, useClient, withTokens } from "./fake.ts"

const ADVICE = "check the host URL"

describe("a data page without a documented field", () => {
  // `sampling_ratio` is required by the document and needed: a sample must never pass for the whole result.
  const fake = () =>
    makeFake(
      withTokens((r) => {
        const reply = dataReply(r.body, 3)
        const page = { ...(reply.body as { contents: Array<Record<string, unknown>> }).contents[0]! }
        delete page["sampling_ratio"]
        return { body: { contents: [page] } }
      })
    )

  it.effect.each([["read whole"], ["lent to a reader"]] as const)("names the field (%s)", ([how]) =>
    Effect.gen(function* () {
      const error = failureOf(
        yield* Effect.exit(
          useClient(fake(), testOptions(), (client) => {
            const request = { logicalTableIdentifier: "t", queryString: "q" }
            const pages =
              how === "read whole"
                ? client.searchData(request)
                : client.searchData(request, (page) => Effect.succeed(page.rowCount))
            return Stream.runCollect(pages as Stream.Stream<unknown, ThoughtSpotError.ThoughtSpotError>)
          })
        )
      )
      expect(error.reason._tag).toBe("ResponseDecode")
      expect(error.message).toContain('["sampling_ratio"]')
      expect(error.message).toContain("documented fields")
      expect(error.message).toContain(ADVICE)
      expect(error.message).not.toContain("\n")
    })
  )
})

describe("a liveboard page without its visualization_id", () => {
  // The document allows null; without it the visualization's further pages cannot be asked for.
  it.effect("is refused naming the field and the visualization, with what to do", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) => {
          const reply = dataReply(r.body, 3)
          const page = (reply.body as { contents: Array<Record<string, unknown>> }).contents[0]!
          return { body: { contents: [{ ...page, visualization_id: null, visualization_name: "Revenue by Region" }] } }
        })
      )
      const error = failureOf(
        yield* Effect.exit(
          useClient(fake, testOptions(), (client) => client.liveboardData({ metadataIdentifier: "lb-1" }))
        )
      )
      expect(error.reason._tag).toBe("ResponseDecode")
      expect(error.message).toContain("visualization_id")
      expect(error.message).toContain('"Revenue by Region"')
      expect(error.message).toContain(ADVICE)
    })
  )
})

describe("a JSON answer of another shape", () => {
  it.effect("a user without its required visibility is refused by the field's name, with what to do", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.path === "users/search"
            ? { body: r.body.record_offset === 0 ? [{ id: "u-1", name: "ann", display_name: "Ann" }] : [] }
            : { status: 404 }
        )
      )
      const error = failureOf(
        yield* Effect.exit(useClient(fake, testOptions(), (client) => Stream.runCollect(client.searchUsers())))
      )
      expect(error.reason._tag).toBe("ResponseDecode")
      expect(error.message).toContain('["visibility"]')
      expect(error.message).toContain(ADVICE)
      expect(error.message).not.toContain("\n")
    })
  )
})
