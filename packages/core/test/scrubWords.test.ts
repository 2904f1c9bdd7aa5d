/**
 * A short secret (under the fragment length) is redacted as a whole word only: redacted inside a longer word it
 * would tell itself to anyone who knows the word — `User ts<redacted>` beside the user name `tsadmin` says the
 * password is `admin`. Wherever it stands alone, in any view of the text, it is still redacted.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Classify from "../src/internal/classify.ts"
import { FRAGMENT } from "../src/internal/scrub.ts"

const scrubOf = (...secrets: ReadonlyArray<string>) => Classify.makeScrub(new Set(secrets))

describe("a short secret inside a longer word", () => {
  it("is left as the word it is part of, so the redaction tells nothing", () => {
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

  it("is redacted wherever it stands alone, in any encoding a server echoes it in", () => {
    const scrub = scrubOf("admin")
    for (const [echoed, shown] of [
      ['{"username":"tsadmin","password":"admin"}', '{"username":"tsadmin","password":"<redacted>"}'],
      ["password=admin&user=tsadmin", "password=<redacted>&user=tsadmin"],
      ["password=%61dmin&x", "password=<redacted>&x"],
      ['"\\u0061dmin"', '"<redacted>"'],
      ["pw\nadmin", "pw\n<redacted>"],
      ["pw: ad min.", "pw: <redacted>."],
      ["admin", "<redacted>"]
    ] as const) {
      expect(scrub(echoed), echoed).toBe(shown)
    }
    // Through an error answer: the server's message keeps the user name, not the password.
    const error = Classify.fromResponse({
      operation: "auth/token/full",
      status: 401,
      retryAfter: undefined,
      body: JSON.stringify({ error: { message: { debug: "bad password 'admin' for user tsadmin" } } }),
      nowMillis: 0,
      scrub
    })
    expect(error.message).toContain("bad password '<redacted>' for user tsadmin")
  })

  it("an edge that is no word character never joins a word: it is redacted inside one too", () => {
    expect(scrubOf("$&")("a$&b")).toBe("a<redacted>b")
    expect(scrubOf("#1!")("x#1!y")).toBe("x<redacted>y")
    // Only the edge that is a word character looks at its neighbour.
    expect(scrubOf("ab!")("xab!y")).toBe("xab!y")
    expect(scrubOf("ab!")("-ab!y")).toBe("-<redacted>y")
  })
})
