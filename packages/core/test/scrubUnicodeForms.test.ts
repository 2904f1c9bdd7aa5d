/**
 * A secret with accented letters is found also in the other Unicode normal form: a server (a JVM normalizing
 * input, a file system) may echo `é` as `e` and a combining accent, or the other way round.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Classify from "../src/internal/classify.ts"
import { WITHHELD } from "../src/internal/scrub.ts"

describe("a secret in another Unicode normal form", () => {
  it("withholds the text whether the server composes or decomposes it, in any encoding", () => {
    const composed = "Pässwörd-Ünïcode-é"
    const decomposed = composed.normalize("NFD")
    expect(decomposed).not.toBe(composed)
    for (const [secret, echoed] of [
      [composed, decomposed],
      [decomposed, composed]
    ] as const) {
      const scrub = Classify.makeScrub(new Set([secret]))
      for (const form of [
        echoed,
        JSON.stringify(echoed).slice(1, -1),
        encodeURIComponent(echoed),
        Buffer.from(echoed).toString("hex"),
        Buffer.from(echoed).toString("base64")
      ]) {
        expect(scrub(`bad password ${form} here`), form).toBe(WITHHELD)
      }
    }
  })
})
