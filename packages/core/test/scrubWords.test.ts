/**
 * A short secret (under the fragment length) counts as a whole word only: counted inside a longer word it would
 * tell itself to anyone who knows the word — every text naming the user `tsadmin` withheld says the password is
 * `admin`. Wherever it stands alone, in any view of the text, the text is withheld.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Classify from "../src/internal/classify.ts"
import { FRAGMENT, WITHHELD } from "../src/internal/scrub.ts"

const scrubOf = (...secrets: ReadonlyArray<string>) => Classify.makeScrub(new Set(secrets))

describe("a short secret inside a longer word", () => {
  it("is left as the word it is part of, so withholding tells nothing", () => {
    expect("admin".length).toBeLessThan(FRAGMENT)
    const scrub = scrubOf("admin")
    expect(scrub("User tsadmin (administrator, admin_ops) was refused")).toBe(
      "User tsadmin (administrator, admin_ops) was refused"
    )
    // A one-character secret: a message keeps its words.
    expect(scrubOf("x")("node/24.21.0; linux x64")).toBe("node/24.21.0; linux x64")
    // Digits are word characters too: a PIN inside a longer number is that number.
    expect(scrubOf("4821")("order 148210 at 04821")).toBe("order 148210 at 04821")
  })

  it("withholds the text wherever it stands alone, in any encoding a server echoes it in", () => {
    const scrub = scrubOf("admin")
    for (const echoed of [
      '{"username":"tsadmin","password":"admin"}',
      "password=admin&user=tsadmin",
      "password=%61dmin&x",
      '"\\u0061dmin"',
      "pw\nadmin",
      "pw: ad min.",
      "admin"
    ]) {
      expect(scrub(echoed), echoed).toBe(WITHHELD)
    }
    // Through an error answer: the server's message is withheld whole, the facts around it stay.
    const error = Classify.fromResponse({
      operation: "auth/token/full",
      status: 401,
      retryAfter: undefined,
      body: JSON.stringify({ error: { message: { debug: "bad password 'admin' for user tsadmin" } } }),
      nowMillis: 0,
      scrub
    })
    expect(error.message).toContain(`(HTTP 401): ${WITHHELD}`)
    expect(error.message).not.toContain("bad password")
  })

  it("an edge that is no word character never joins a word: it counts inside one too", () => {
    expect(scrubOf("$&")("a$&b")).toBe(WITHHELD)
    expect(scrubOf("#1!")("x#1!y")).toBe(WITHHELD)
    // Only the edge that is a word character looks at its neighbour.
    expect(scrubOf("ab!")("xab!y")).toBe("xab!y")
    expect(scrubOf("ab!")("-ab!y")).toBe(WITHHELD)
  })
})
