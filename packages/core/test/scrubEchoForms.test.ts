/**
 * The forms of an echoed password an audit found shown verbatim: upper-cased, UTF-16 hex, separated hex, base32
 * and with zero-width characters between its characters. Each is withheld whole; look-alikes of other text are not.
 */
import { describe, expect, it } from "@effect/vitest"
import { makeScrub, WITHHELD } from "../src/internal/scrub.ts"

const password = "a?>Secret-pass9"
const scrub = makeScrub(new Set([password]), ["ana.lyst"])
const utf8 = Buffer.from(password, "utf8")

describe("echoed password forms", () => {
  const forms: Record<string, string> = {
    upperCased: password.toUpperCase(),
    lowerCased: password.toLowerCase(),
    utf16leHex: Buffer.from(password, "utf16le").toString("hex"),
    utf16leHexUpper: Buffer.from(password, "utf16le").toString("hex").toUpperCase(),
    utf16beHex: Buffer.from(password, "utf16le").swap16().toString("hex"),
    colonHex: Array.from(utf8, (b) => b.toString(16).padStart(2, "0")).join(":"),
    dashHexUpper: Array.from(utf8, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("-"),
    // RFC 4648 base32 of the password, computed independently below.
    base32: "ME7T4U3FMNZGK5BNOBQXG4ZZ",
    base32Lower: "me7t4u3fmnzgk5bnobqxg4zz",
    zeroWidthBetween: Array.from(password).join("\u200b"),
    wordJoinerBetween: Array.from(password).join("\u2060"),
    upperCasedStrasse: "STRASSE-12345"
  }
  const scrubWithGerman = makeScrub(new Set([password, "straße-12345"]))

  for (const [name, echoed] of Object.entries(forms)) {
    it(`${name}-is-withheld`, () => {
      expect(scrubWithGerman(`login failed: value ${echoed} rejected`)).toBe(WITHHELD)
    })
  }

  it("base32-vector-is-the-passwords", () => {
    const bits = Array.from(utf8, (b) => b.toString(2).padStart(8, "0")).join("")
    const chars = bits
      .match(/.{1,5}/g)!
      .map((five) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[parseInt(five.padEnd(5, "0"), 2)])
    expect(chars.join("")).toBe(forms.base32)
  })

  it("a-part-of-the-separated-hex-inside-a-longer-dump-is-withheld", () => {
    const dump = Array.from(Buffer.concat([Buffer.from("user=ana&pw="), utf8]), (b) => b.toString(16).padStart(2, "0"))
    expect(scrub(`body ${dump.join(":")} end`)).toBe(WITHHELD)
  })

  it("other-text-is-left-as-it-is", () => {
    for (const text of [
      "trace 6f1c2a9e-84b3-4d1e-9a7c-0b5d3e2f8c41 at 00:1a:2b:3c:4d:5e",
      "USER ANA.LYST IS NOT ALLOWED; SECRET PASSES ARE NO WORD HERE",
      "\u200bzero\u200bwidth\u200bspaces in an ordinary message",
      "MFRGGZDFMZTWQ2LKNNWG23TP base32 of something else"
    ]) {
      expect(scrub(text)).toBe(text)
    }
  })
})
