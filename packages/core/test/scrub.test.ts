/** Secrets echoed by a server in any encoding, or in part, never reach an error message: the text is withheld. */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as Classify from "../src/internal/classify.ts"
import { FRAGMENT, WITHHELD } from "../src/internal/scrub.ts"

const hex2 = (code: number) => code.toString(16).padStart(2, "0")
const nonAlnum = (escapeOne: (code: number) => string) => (s: string) =>
  Array.from(s, (ch) => (/^[A-Za-z0-9]$/.test(ch) ? ch : escapeOne(ch.codePointAt(0)!))).join("")

const reverse = (s: string) => Array.from(s).reverse().join("")
/** The shortest start of `s` with `count` characters other than whitespace (the fragment rule counts those). */
const firstVisible = (s: string, count: number) => {
  const chars = Array.from(s)
  let seen = 0
  for (let i = 0; i < chars.length; i++)
    if (!/\s/.test(chars[i]!) && ++seen === count) return chars.slice(0, i + 1).join("")
  return s
}

/** RFC 4648 base32 with padding, written from the bits one by one. */
const base32 = (bytes: Buffer): string => {
  const bits = Array.from(bytes, (b) => b.toString(2).padStart(8, "0")).join("")
  let out = ""
  for (let i = 0; i < bits.length; i += 5) {
    out += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Number.parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)]
  }
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=")
}

/** The ways a server may echo a secret, each as the text it puts in its answer. */
const encodings: Record<string, (secret: string, user: string) => string> = {
  raw: (s) => s,
  json: (s) => JSON.stringify(s).slice(1, -1),
  jsonAscii: (s) =>
    Array.from(s, (ch) => {
      const code = ch.charCodeAt(0)
      if (ch.length === 2) return `\\u${ch.charCodeAt(0).toString(16)}\\u${ch.charCodeAt(1).toString(16)}`
      return code < 0x20 || code > 0x7e || ch === "/" || ch === "<" || ch === "&" || ch === '"' || ch === "\\"
        ? `\\u${code.toString(16).padStart(4, "0")}`
        : ch
    }).join(""),
  htmlNamed: (s) =>
    s
      .replaceAll("&", "&amp;")
      .replaceAll('"', "&quot;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll("'", "&#39;"),
  htmlDecimal: nonAlnum((code) => `&#${code};`),
  htmlHex: nonAlnum((code) => `&#x${code.toString(16).toUpperCase()};`),
  url: (s) => encodeURIComponent(s),
  urlLower: (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  form: (s) => encodeURIComponent(s).replaceAll("%20", "+"),
  urlAll: (s) => Array.from(Buffer.from(s, "utf8"), (b) => `%${hex2(b)}`).join(""),
  base64: (s) => Buffer.from(s, "utf8").toString("base64"),
  base64Url: (s) => Buffer.from(s, "utf8").toString("base64url"),
  hexLower: (s) => Buffer.from(s, "utf8").toString("hex"),
  hexUpper: (s) => Buffer.from(s, "utf8").toString("hex").toUpperCase(),
  hexInUserPair: (s, user) => Buffer.from(`${user}:${s}`, "utf8").toString("hex"),
  basicAuth: (s, user) => `Basic ${Buffer.from(`${user}:${s}`, "utf8").toString("base64")}`,
  whitespaceChanged: (s) => (/\s/.test(s) ? s.replace(/\s+/g, "\n\t  ") : `${s.slice(0, 4)}\n  ${s.slice(4)}`),
  prefix: (s) => firstVisible(s, Math.max(FRAGMENT, Math.ceil(s.length / 2))),
  suffix: (s) => reverse(firstVisible(reverse(s), Math.max(FRAGMENT, Math.ceil(s.length / 2)))),
  upperCase: (s) => s.toUpperCase(),
  lowerCase: (s) => s.toLowerCase(),
  utf16leHex: (s) => Buffer.from(s, "utf16le").toString("hex"),
  utf16beHex: (s) => Buffer.from(s, "utf16le").swap16().toString("hex").toUpperCase(),
  colonHex: (s) => Array.from(Buffer.from(s, "utf8"), hex2).join(":"),
  dashHexUpper: (s) => Array.from(Buffer.from(s, "utf8"), (b) => hex2(b).toUpperCase()).join("-"),
  base32: (s) => base32(Buffer.from(s, "utf8")),
  base32Lower: (s) => base32(Buffer.from(s, "utf8")).toLowerCase(),
  base32InUserPair: (s, user) => base32(Buffer.from(`${user}:${s}`, "utf8")),
  zeroWidthBetween: (s) => Array.from(s).join("\u200b"),
  jsonInHtml: (s) => encodings.htmlNamed!(JSON.stringify(s).slice(1, -1), ""),
  urlInJson: (s) => JSON.stringify(encodeURIComponent(s)).slice(1, -1)
}

const secretChars = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split(""),
  ..."\"\\<>&%+/ :=#;'?\n\té€😀".split(/(?:)/u)
)
const secret = fc.array(secretChars, { minLength: FRAGMENT, maxLength: 40 }).map((cs) => cs.join(""))
const words = fc.array(fc.constantFrom("the", "server", "said", "error", "for", "user", "at", "row", "-", ":"), {
  maxLength: 12
})

/** The message a 4xx/5xx answer carrying `echoed` turns into. */
const messageFor = (scrub: Classify.Scrub, body: string, status: number) =>
  Classify.fromResponse({ operation: "auth/token/full", status, retryAfter: undefined, body, nowMillis: 0, scrub })
    .message

describe("secrets in echoed error bodies", () => {
  it("every-encoding-of-every-secret-is-withheld-before-clipping", () => {
    fc.assert(
      fc.property(
        secret,
        fc.constantFrom(...Object.keys(encodings)),
        fc.constantFrom("json", "text", "html"),
        words,
        words,
        fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(..."abcdefgh.".split("")) }),
        (password, encoding, shape, before, after, user) => {
          const echoed = encodings[encoding]!(password, user)
          const text = `${before.join(" ")} ${echoed} ${after.join(" ")}`
          const body =
            shape === "json"
              ? JSON.stringify({ error: { message: { debug: text } } })
              : shape === "html"
                ? `<html>\n<body>\n  <p>${text}</p>\n</body>\n</html>`
                : text
          const token = `tok-${password.length}-${"q".repeat(20)}`
          const message = messageFor(Classify.makeScrub(new Set([password, token])), body, 401)
          expect(message).not.toContain(echoed)
          expect(message).not.toContain(password)
          if (encoding === "basicAuth") expect(message).not.toContain(echoed.slice("Basic ".length))
          // Nothing of the server's text is left to tell the secret by what stands around it.
          expect(message.endsWith(`(HTTP 401): ${WITHHELD}`)).toBe(true)
        }
      ),
      { numRuns: 600 }
    )
  })

  it("json-escaped-password-is-withheld", () => {
    const password = 'p"a\\ss-w0rd'
    const scrub = Classify.makeScrub(new Set([password]))
    const message = messageFor(scrub, `bad login for user x with password p\\"a\\\\ss-w0rd`, 401)
    expect(message).not.toContain('p\\"a')
    expect(message).not.toContain("ss-w0rd")
    expect(message).not.toContain("bad login")
    expect(message).toContain(`(HTTP 401): ${WITHHELD}`)
  })

  it("html-and-url-escaped-passwords-are-withheld", () => {
    const password = 'p"a&s s+1'
    const scrub = Classify.makeScrub(new Set([password]))
    for (const echoed of ["p&quot;a&amp;s s+1", "p&#34;a&#38;s s+1", "p%22a%26s+s%2B1", "p%22a%26s%20s%2B1"]) {
      const message = messageFor(scrub, `<html><body>rejected ${echoed} here</body></html>`, 502)
      expect(message).toContain(`(HTTP 502): ${WITHHELD}`)
    }
  })

  it("hex-encoded-secrets-are-withheld-in-either-case", () => {
    const password = "Guest@123!"
    const token = "eyJhbGciOiJIUzI1NiJ9.payload.signature"
    const scrub = Classify.makeScrub(new Set([password, token]))
    const hex = (s: string) => Buffer.from(s, "utf8").toString("hex")
    for (const echoed of [hex(password), hex(password).toUpperCase(), hex(token), hex(token).toUpperCase()]) {
      const message = messageFor(
        scrub,
        JSON.stringify({ error: { message: { debug: `bad value ${echoed} here` } } }),
        401
      )
      expect(message).toContain(`(HTTP 401): ${WITHHELD}`)
    }
    // Part of it (8 hex digits: 4 bytes) inside a longer hex text, as the fragment rule asks.
    expect(scrub(`x=00ff${hex(token).slice(6, 30)}ff00 end`)).toBe(WITHHELD)
    // Hex that is not the secret's, such as a trace id, keeps its digits.
    expect(scrub("trace 6f1c2a9e-84b3-4d1e-9a7c-0b5d3e2f8c41 end")).toBe(
      "trace 6f1c2a9e-84b3-4d1e-9a7c-0b5d3e2f8c41 end"
    )
  })

  it("token-prefix-of-eight-characters-is-withheld", () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.payload.signature"
    const scrub = Classify.makeScrub(new Set([token]))
    expect(scrub("token eyJhbGci… expired")).toBe(WITHHELD)
    expect(scrub(`token ${token.slice(5, 17)} expired`)).toBe(WITHHELD)
    // Seven characters is below the fragment rule: ordinary text keeps its words.
    expect(scrub("token eyJhbGc expired")).toBe("token eyJhbGc expired")
  })

  it("secret-split-by-whitespace-folding-is-withheld", () => {
    const password = "two  words\there"
    const scrub = Classify.makeScrub(new Set([password]))
    const message = messageFor(scrub, `wrong password two words here!`, 401)
    expect(message).not.toContain("two words")
    expect(message).toContain(`(HTTP 401): ${WITHHELD}`)
  })

  it("long-bodies-are-scrubbed-before-they-are-clipped", () => {
    const password = "hunter2-secret-value"
    const scrub = Classify.makeScrub(new Set([password]))
    const padding = " \n".repeat(20_000)
    // The echo lies inside the scanned part; the full password past it, where the text is cut.
    const message = messageFor(scrub, `${padding}echo ${password.slice(0, 12)}${padding}${password}`, 500)
    expect(message).not.toContain("hunter2")
    expect(message).not.toContain("echo")
    expect(message).toContain(WITHHELD)
  })
})
