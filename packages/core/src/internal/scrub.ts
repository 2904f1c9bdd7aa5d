/**
 * Withholds every text that holds a known secret (password, secret key, issued tokens, session cookies), in
 * whatever form a server may echo it: such a text is replaced whole by {@link WITHHELD}. Replacing only the
 * secret inside it would tell the secret to anyone who knows the rest of the text: ThoughtSpot's fixed
 * "Authentication failed: wrong username…" shown as "failed: <marker> username" says the password is "wrong".
 *
 * A secret is found in a text when a stretch of it, read in any of the views below, in any case and ignoring
 * whitespace and zero-width characters, is a secret (as written, upper-cased, or in Unicode's composed or
 * decomposed form), a secret's base64, base32 or hex form (hex of its UTF-8 or UTF-16 bytes), or any run of
 * {@link FRAGMENT} or more characters of one of these. So a text that
 * echoes the first 8 characters of a token, or a password with its spaces changed, is withheld. A secret
 * shorter than that counts only as a whole word: not where a letter, digit or `_` on either side continues it
 * (`admin` in `administrator` or in the user name `tsadmin`), since withholding every text with that word would
 * tell what it is to anyone who knows the word. For the same reason a secret's characters inside a known text that is no secret
 * (the user name) do not count: withholding every message naming the user `john.smith2024` would tell that the
 * password holds `smith2024` (a known text equal to a secret is no exception).
 *
 * Views: the text as it is; decoded as JSON string escapes (`\"`, `\\`, `\/`, `\uXXXX` …); as HTML character
 * references (`&quot;`, `&#34;`, `&#x22;`, `&amp;` …); as URL percent-encoding (with `+` read as a space, and
 * as itself); and every two of these in a row (e.g. a JSON-escaped secret inside an HTML page); and hex bytes
 * joined by a separator (`61:3f:3e`, `61-3F`) with the separators left out. Base64 is matched
 * by its characters (standard and URL alphabets) at each of the three byte alignments, so the secret is found
 * inside a longer encoded text too, e.g. `Basic base64(user:secret)`. Every view keeps, for each character,
 * the stretch of the original text it came from.
 *
 * Texts are scanned up to {@link MAX_SCAN} characters (plus a margin long enough that no secret starting
 * inside the limit can reach past the scanned part); whatever lies beyond is dropped with `…`. Scrubbing comes
 * before any clipping or whitespace folding, which could otherwise cut or reshape a secret past recognition.
 */

/** Gives a text back as it is, or {@link WITHHELD} when it holds a known secret (clipped past {@link MAX_SCAN}). */
export type Scrub = (text: string) => string

/** Runs of this many characters (whitespace aside) of a secret are found, wherever they appear. */
export const FRAGMENT = 8

/** Characters of a text that are scanned; the rest is dropped. */
export const MAX_SCAN = 64 * 1024

/** What stands for a text that held a secret: says why, and nothing of the text. */
export const WITHHELD = "[withheld: it held text equal to a secret (a password, secret key or token)]"

/** A text read some way: each character with the stretch `[start, end)` of the original it came from. */
interface View {
  readonly text: string
  readonly starts: Int32Array
  readonly ends: Int32Array
}

const identity = (text: string): View => {
  const starts = new Int32Array(text.length)
  const ends = new Int32Array(text.length)
  for (let i = 0; i < text.length; i++) {
    starts[i] = i
    ends[i] = i + 1
  }
  return { text, starts, ends }
}

/** Builds a view while decoding: `push` adds decoded text that came from `[from, to)` of the input view. */
const decoding = (input: View, decode: (push: (chars: string, from: number, to: number) => void) => void): View => {
  const chars: Array<string> = []
  const starts: Array<number> = []
  const ends: Array<number> = []
  decode((text, from, to) => {
    const start = input.starts[from]!
    const end = input.ends[to - 1]!
    for (let i = 0; i < text.length; i++) {
      chars.push(text[i]!)
      starts.push(start)
      ends.push(end)
    }
  })
  return { text: chars.join(""), starts: Int32Array.from(starts), ends: Int32Array.from(ends) }
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t"
}

const isHex = (text: string): boolean => /^[0-9a-fA-F]+$/.test(text)

const json = (input: View): View =>
  decoding(input, (push) => {
    const t = input.text
    for (let i = 0; i < t.length; ) {
      if (t[i] === "\\" && i + 1 < t.length) {
        const next = t[i + 1]!
        if (next === "u" && isHex(t.slice(i + 2, i + 6)) && i + 6 <= t.length) {
          push(String.fromCharCode(Number.parseInt(t.slice(i + 2, i + 6), 16)), i, i + 6)
          i += 6
          continue
        }
        const escaped = JSON_ESCAPES[next]
        if (escaped !== undefined) {
          push(escaped, i, i + 2)
          i += 2
          continue
        }
      }
      push(t[i]!, i, i + 1)
      i++
    }
  })

const NAMED: Record<string, string> = {
  quot: '"',
  amp: "&",
  lt: "<",
  gt: ">",
  apos: "'",
  nbsp: "\u00a0",
  sol: "/",
  bsol: "\\",
  plus: "+",
  percnt: "%",
  equals: "=",
  colon: ":",
  num: "#",
  excl: "!",
  quest: "?",
  semi: ";",
  comma: ",",
  period: ".",
  lpar: "(",
  rpar: ")",
  lsqb: "[",
  rsqb: "]",
  lcub: "{",
  rcub: "}",
  grave: "`",
  Hat: "^",
  verbar: "|",
  lowbar: "_",
  ast: "*",
  dollar: "$",
  commat: "@",
  tilde: "~"
}

const REFERENCE = /^&(?:#[xX]([0-9a-fA-F]{1,6});?|#([0-9]{1,7});?|([A-Za-z]{2,8});)/

const html = (input: View): View =>
  decoding(input, (push) => {
    const t = input.text
    for (let i = 0; i < t.length; ) {
      if (t[i] === "&") {
        const match = REFERENCE.exec(t.slice(i, i + 12))
        if (match !== null) {
          const [whole, hex, decimal, name] = match
          const code =
            hex !== undefined ? Number.parseInt(hex, 16) : decimal !== undefined ? Number.parseInt(decimal, 10) : -1
          const text =
            name !== undefined ? NAMED[name] : code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined
          if (text !== undefined) {
            push(text, i, i + whole.length)
            i += whole.length
            continue
          }
        }
      }
      push(t[i]!, i, i + 1)
      i++
    }
  })

const utf8 = new TextDecoder("utf-8", { fatal: true })

const url =
  (plusIsSpace: boolean) =>
  (input: View): View =>
    decoding(input, (push) => {
      const t = input.text
      for (let i = 0; i < t.length; ) {
        if (t[i] === "%" && isHex(t.slice(i + 1, i + 3)) && i + 3 <= t.length) {
          // A run of %XX: decoded as UTF-8 where it can be, each character from the escapes that made it.
          const lead = Number.parseInt(t.slice(i + 1, i + 3), 16)
          const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
          const bytes: Array<number> = [lead]
          for (let k = 1; k < size; k++) {
            const at = i + 3 * k
            if (t[at] !== "%" || !isHex(t.slice(at + 1, at + 3)) || at + 3 > t.length) break
            bytes.push(Number.parseInt(t.slice(at + 1, at + 3), 16))
          }
          let text: string | undefined
          try {
            text = bytes.length === size ? utf8.decode(Uint8Array.from(bytes)) : undefined
          } catch {
            text = undefined
          }
          if (text !== undefined) {
            push(text, i, i + 3 * size)
            i += 3 * size
          } else {
            // Not UTF-8: the byte as a Latin-1 character.
            push(String.fromCharCode(lead), i, i + 3)
            i += 3
          }
          continue
        }
        push(plusIsSpace && t[i] === "+" ? " " : t[i]!, i, i + 1)
        i++
      }
    })

const DECODERS: ReadonlyArray<(view: View) => View> = [json, html, url(true), url(false)]

/** Hex digit pairs joined by one separator each (`61:3f:3e`, `61-3F-3E`, `61.3f`): the separators are dropped. */
const SEPARATED_HEX = /(?<![0-9a-f])[0-9a-f]{2}([:.,_-])[0-9a-f]{2}(?:\1[0-9a-f]{2})*(?![0-9a-f])/gi

/** `input` with the separators of separated hex bytes left out, so the hex forms match them. */
const hexJoined = (input: View): View =>
  decoding(input, (push) => {
    const t = input.text
    let at = 0
    for (const match of t.matchAll(SEPARATED_HEX)) {
      for (; at < match.index; at++) push(t[at]!, at, at + 1)
      const separator = match[1]!
      for (const end = match.index + match[0].length; at < end; at++) if (t[at] !== separator) push(t[at]!, at, at + 1)
    }
    for (; at < t.length; at++) push(t[at]!, at, at + 1)
  })

/** Every view of `text`: as it is, each decoder, each two decoders in a row, and its separated hex joined. */
const views = (text: string): Array<View> => {
  const plain = identity(text)
  const out = [plain, hexJoined(plain)]
  for (const first of DECODERS) {
    const once = first(plain)
    out.push(once)
    for (const second of DECODERS) if (second !== first) out.push(second(once))
  }
  return out
}

const isSpace = (code: number): boolean =>
  code === 0x20 ||
  (code >= 0x09 && code <= 0x0d) ||
  code === 0xa0 ||
  code === 0x1680 ||
  (code >= 0x2000 && code <= 0x200a) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff ||
  // Invisible characters a server may put between a secret's (zero-width space, joiners, soft hyphen).
  (code >= 0x200b && code <= 0x200d) ||
  code === 0x2060 ||
  code === 0x00ad ||
  code === 0x180e

const withoutSpace = (text: string): string => {
  let out = ""
  for (let i = 0; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) out += text[i]
  return out
}

/**
 * The base64 characters that encode `secret`'s UTF-8 bytes alone, when it starts at each of the three byte
 * alignments inside a longer encoded text (characters that mix in neighbouring bytes are left out).
 */
const base64Forms = (secret: string): Array<string> => {
  const bytes = Buffer.from(secret, "utf8")
  const forms: Array<string> = []
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64")
    const first = Math.ceil((8 * shift) / 6)
    const last = Math.floor((8 * (shift + bytes.length)) / 6) // exclusive
    const core = encoded.slice(first, last)
    if (core.length > 0) forms.push(core, core.replaceAll("+", "-").replaceAll("/", "_"))
  }
  return forms
}

/** Shorter base64 forms (of secrets under ~5 bytes) are not looked for: they would match ordinary words. */
const MIN_BASE64 = 6

/**
 * The hex digits of `secret`'s UTF-8 bytes, lower and upper case. Two digits per byte, so a secret inside a
 * longer hex text (e.g. `hex(user:secret)`) shows the same digits: no alignments to list, unlike base64.
 */
const hexForms = (secret: string): Array<string> => {
  const utf16le = Buffer.from(secret, "utf16le")
  // UTF-16 as well: a server may hex-dump a string as the code units it holds (Windows, Java), either byte order.
  const utf16be = Buffer.from(utf16le).swap16()
  return [Buffer.from(secret, "utf8"), utf16le, utf16be].flatMap((bytes) => {
    const lower = bytes.toString("hex")
    return [lower, lower.toUpperCase()]
  })
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/**
 * The base32 characters (RFC 4648) that encode `secret`'s UTF-8 bytes alone, at each of the five byte
 * alignments inside a longer encoded text, as {@link base64Forms} does. Matched in any case.
 */
const base32Forms = (secret: string): Array<string> => {
  const bytes = Buffer.from(secret, "utf8")
  const forms: Array<string> = []
  for (let shift = 0; shift < 5; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes])
    let encoded = ""
    for (let bit = 0; bit < padded.length * 8; bit += 5) {
      let value = 0
      for (let k = 0; k < 5; k++) {
        const at = bit + k
        const b = at < padded.length * 8 ? (padded[at >> 3]! >> (7 - (at & 7))) & 1 : 0
        value = (value << 1) | b
      }
      encoded += BASE32[value]
    }
    const core = encoded.slice(Math.ceil((8 * shift) / 5), Math.floor((8 * (shift + bytes.length)) / 5))
    if (core.length > 0) forms.push(core)
  }
  return forms
}

/**
 * `text` with each character in lower case where that keeps its length (so positions stay), for matching without
 * regard to case: a server may echo a secret upper-cased, and base32 and hex are written in either case.
 */
const fold = (text: string): string => {
  const lower = text.toLowerCase()
  if (lower.length === text.length) return lower
  let out = ""
  for (const char of text) {
    const l = char.toLowerCase()
    out += l.length === char.length ? l : char
  }
  return out
}

/** Shorter hex forms (secrets under 4 bytes) are not looked for: they would match ids and hashes. */
const MIN_HEX = FRAGMENT

/** What the scanner looks for: every run of FRAGMENT characters of the long forms, and the short forms whole. */
interface Index {
  /** Every form is {@link fold}ed and matched in folded text: a secret is found in any case. */
  readonly grams: ReadonlySet<string>
  readonly whole: ReadonlyArray<string>
  /** Known texts that are no secret (user names), whitespace aside: secrets found inside them do not count. */
  readonly known: ReadonlyArray<string>
  /** The longest form, for the margin past MAX_SCAN. */
  readonly longest: number
}

const buildIndex = (secrets: ReadonlyArray<string>, knownTexts: ReadonlyArray<string> = []): Index => {
  const grams = new Set<string>()
  const whole = new Set<string>()
  const bareSecrets = new Set(secrets.map(withoutSpace))
  const known = knownTexts.map(withoutSpace).filter((text) => text.length > 0 && !bareSecrets.has(text))
  let longest = 0
  // Each secret also as Unicode's composed and decomposed forms (`é` as one character or as `e` and an accent),
  // which a server may normalize it to before echoing it.
  const spellings = new Set(secrets.flatMap((secret) => [secret, secret.normalize("NFC"), secret.normalize("NFD")]))
  for (const secret of spellings) {
    longest = Math.max(longest, secret.length)
    const forms = [
      withoutSpace(secret),
      // Upper-cased by the server, where that changes the length (`ß` as `SS`).
      withoutSpace(secret.toUpperCase()),
      ...base64Forms(secret).filter((f) => f.length >= MIN_BASE64),
      ...base32Forms(secret).filter((f) => f.length >= MIN_BASE64),
      ...hexForms(secret).filter((f) => f.length >= MIN_HEX)
    ]
    for (const form of forms.map(fold)) {
      if (form.length === 0) continue
      if (form.length < FRAGMENT) whole.add(form)
      else for (let i = 0; i + FRAGMENT <= form.length; i++) grams.add(form.slice(i, i + FRAGMENT))
    }
  }
  return { grams, whole: [...whole], known, longest }
}

/** The stretches `[start, end)` of the original text that hold a secret, as seen through `view`. */
const findIn = (view: View, index: Index, spans: Array<[number, number]>): void => {
  const found: Array<[number, number]> = []
  const keep: Array<number> = [] // view positions of the non-space characters
  let bare = ""
  for (let i = 0; i < view.text.length; i++) {
    if (!isSpace(view.text.charCodeAt(i))) {
      keep.push(i)
      bare += view.text[i]
    }
  }
  const stretch = (from: number, length: number): [number, number] => [
    view.starts[keep[from]!]!,
    view.ends[keep[from + length - 1]!]!
  ]
  const add = (from: number, length: number) => {
    found.push(stretch(from, length))
  }
  const folded = fold(bare)
  if (index.grams.size > 0) {
    for (let i = 0; i + FRAGMENT <= folded.length; i++) {
      if (index.grams.has(folded.slice(i, i + FRAGMENT))) add(i, FRAGMENT)
    }
  }
  for (const form of index.whole) {
    const wordStart = isWordChar(form, 0)
    const wordEnd = isWordChar(form, form.length - 1)
    for (let at = folded.indexOf(form); at !== -1; at = folded.indexOf(form, at + 1)) {
      // Continued by a word character in the view (whitespace ends a word): part of another word, left as it is.
      if (wordStart && isWordChar(view.text, keep[at]! - 1)) continue
      if (wordEnd && isWordChar(view.text, keep[at + form.length - 1]! + 1)) continue
      add(at, form.length)
    }
  }
  if (found.length === 0) return
  const kept: Array<[number, number]> = []
  for (const text of index.known) {
    const foldedText = fold(text)
    for (let at = folded.indexOf(foldedText); at !== -1; at = folded.indexOf(foldedText, at + 1)) {
      kept.push(stretch(at, text.length))
    }
  }
  for (const span of found) {
    if (!kept.some(([start, end]) => span[0] >= start && span[1] <= end)) spans.push(span)
  }
}

/** Whether `text[at]` is a letter, a digit or `_` (false out of range; a lone surrogate is none). */
const isWordChar = (text: string, at: number): boolean =>
  at >= 0 && at < text.length && /[\p{L}\p{N}_]/u.test(text[at]!)

/** `text`, or {@link WITHHELD} when it holds a secret of `index` (see the module comment). */
export const scrubWith = (index: Index, text: string): string => {
  if (index.grams.size === 0 && index.whole.length === 0)
    return text.length > MAX_SCAN ? `${text.slice(0, MAX_SCAN)}…` : text
  // The longest escape of one character (`%26%23x10FFFF%3B`) is under 32 characters.
  const scanned = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN + 32 * index.longest + 32) : text
  const spans: Array<[number, number]> = []
  for (const view of views(scanned)) findIn(view, index, spans)
  if (spans.length > 0) return WITHHELD
  return text.length > MAX_SCAN ? `${text.slice(0, MAX_SCAN)}…` : text
}

/** A scrubber over a live set of secrets (the set may grow as tokens are issued; it is never emptied). */
export const makeScrub = (secrets: ReadonlySet<string>, known: ReadonlyArray<string> = []): Scrub =>
  makeScrubOver([secrets], known)

/**
 * A scrubber over the union of live sets of secrets, e.g. the client's and one request's own (its body's
 * password): each set may grow, never shrink, so their total size says when to index again. `known`: texts that
 * are no secret, such as the user name, left whole where they appear (see the module comment).
 */
export const makeScrubOver = (sets: ReadonlyArray<ReadonlySet<string>>, known: ReadonlyArray<string> = []): Scrub => {
  let index = buildIndex([], known)
  let indexed = 0
  return (text) => {
    let size = 0
    for (const set of sets) size += set.size
    if (size !== indexed) {
      index = buildIndex(
        sets.flatMap((set) => [...set]).filter((s) => s.length > 0),
        known
      )
      indexed = size
    }
    return scrubWith(index, text)
  }
}
