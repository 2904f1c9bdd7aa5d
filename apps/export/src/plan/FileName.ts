/**
 * File names derived from ThoughtSpot object names. Object names are user text: they may hold slashes, `..`,
 * control characters, names Windows reserves (`CON`, `LPT1`), or collide once sanitized or case-folded. A
 * {@link FileNameAllocator} turns each into a safe, unique base name inside one output directory; given the same
 * objects in the same order it always gives the same names. With `--file-names slug` a name is first made a slug
 * (`Names.ts`) and a collision is numbered `_2`, `_3` instead of ` (2)`, ` (3)`: the one numbering rule, here.
 */
import { type FileNames, numbered, slugName } from "./Names.ts"

// Device names Windows reserves, with any extension (`CONIN$` and `CONOUT$` are the console's).
const reserved = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i
// Path separators, characters Windows forbids, C0/C1 control characters and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const unsafe = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g
// Unicode format/separator characters that render invisibly or reorder text (bidi overrides, zero-width).
const invisible = /[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g
const maxBytes = 150

/** Makes one name safe to use as a file name (without extension). Never empty, never `.` or `..`. */
export const sanitizeFileName = (name: string): string => {
  let safe = name.normalize("NFC").replace(unsafe, "_").replace(invisible, "").replace(/\s+/g, " ").trim()
  // Leading dots would hide the file or walk up a directory; trailing dots and spaces vanish on Windows.
  safe = safe.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "")
  if (safe === "") safe = "untitled"
  if (reserved.test(safe)) safe = `_${safe}`
  return truncateUtf8(safe, maxBytes)
}

/** The base file name (without extension, before numbering) of `name` in `style`. */
export const baseFileName = (name: string, style: FileNames = "original"): string =>
  sanitizeFileName(style === "slug" ? slugName(name) : name)

const truncateUtf8 = (text: string, limit: number): string => {
  if (Buffer.byteLength(text, "utf8") <= limit) return text
  let bytes = 0
  let end = 0
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8")
    if (bytes + size > limit) break
    bytes += size
    end += char.length
  }
  return text.slice(0, end).replace(/[.\s]+$/, "")
}

/**
 * Hands out unique file names within one directory. Uniqueness is case-insensitive (macOS and Windows file
 * systems fold case); a collision gets ` (2)`, ` (3)`, … (a slug: `_2`, `_3`, …) in allocation order.
 */
export class FileNameAllocator {
  readonly #taken = new Set<string>()

  /** Reserves a name that is not derived from user text (such as `manifest.json`). */
  reserve(fileName: string): void {
    this.#taken.add(fileName.toLowerCase())
  }

  /** A unique, safe file name for `name` (made in `style`) with the extension `ext` (without the dot). */
  allocate(name: string, ext: string, style: FileNames = "original"): string {
    const base = baseFileName(name, style)
    let candidate = `${base}.${ext}`
    for (let n = 2; this.#taken.has(candidate.toLowerCase()); n++) {
      candidate = style === "slug" ? `${numbered(base, n)}.${ext}` : `${base} (${n}).${ext}`
    }
    this.#taken.add(candidate.toLowerCase())
    return candidate
  }
}
