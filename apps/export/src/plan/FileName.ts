/**
 * File names derived from ThoughtSpot object names. Object names are user text: they may hold slashes, `..`,
 * control characters, names Windows reserves (`CON`, `LPT1`), or collide once sanitized or case-folded. With
 * `--file-names slug` a name is first made a slug (`Names.ts`, steps 1–4).
 *
 * A data output's name must stay with its object from run to run: `spotpipe load` names a table after its file, so a
 * name that moved to another object would replace that table with the other object's rows. {@link placeFileNames}
 * names the files of one folder by the objects' stable identities (their GUIDs), never by their order: different
 * objects whose names give one file name (equal once sanitized, or as slugs, ignoring case, as macOS and Windows
 * compare) each get ` [` and a hash of their identity `]` after the name, `Revenue [3f2a9c1b].csv` (a slug:
 * `_` and the hash, `revenue_3f2a9c1b.csv`), the hash being the first 8 hex digits of the SHA-256 of the identity
 * in lower case (Names.ts's hash; GUIDs are compared ignoring case). None of them keeps the plain name, which
 * another run (one of them gone, another one added) could give to either; a name that is a reserved one gets its
 * hash alike. Only what still collides (one identity given twice, two hashes alike) is numbered ` (2)`, ` (3)`
 * (a slug: `_2`, `_3`) in order of identity, never of position.
 *
 * A job file's default output names are placed here too, each export's identity being what it reads and its
 * settings (JobFile.ts). {@link FileNameAllocator} numbers collisions in the order names are asked for: for the TML
 * mirror's, whose numbered files carry rules of their own (AdminExports.ts).
 */
import { type FileNames, hashed, nameHash, numbered, slugName } from "./Names.ts"

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

/** `base` (a file name without extension, in `style`) numbered `n`: ` (n)`, a slug `_n`. */
const numberedIn = (base: string, n: number, style: FileNames): string =>
  style === "slug" ? numbered(base, n) : `${base} (${n})`

/**
 * Hands out unique file names within one directory, in the order asked for. Uniqueness is case-insensitive (macOS
 * and Windows file systems fold case); a collision gets ` (2)`, ` (3)`, … (a slug: `_2`, `_3`, …) in allocation
 * order. Data outputs of objects are named by {@link placeFileNames} instead.
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
      candidate = `${numberedIn(base, n, style)}.${ext}`
    }
    this.#taken.add(candidate.toLowerCase())
    return candidate
  }
}

/**
 * One file to name: `name` is the object's name, `identity` what tells it from other objects (its GUID); `style`
 * its own file-name style, where files of one folder are named in different ones (a job file's exports).
 */
export interface FileToName {
  readonly name: string
  readonly identity: string
  readonly style?: FileNames
}

/** `base` (in `style`) with the hash of `identity`: `Revenue [3f2a9c1b]`, a slug `revenue_3f2a9c1b`. */
export const withIdentity = (base: string, identity: string, style: FileNames = "original"): string =>
  style === "slug" ? hashed(base, identity.toLowerCase()) : `${base} [${nameHash(identity.toLowerCase())}]`

/**
 * Distinct, safe file names (with the extension `ext`) for `files` in one folder, in order: a file's name depends
 * on its own name and identity and on which other identities share its name, never on the order given (see the
 * module comment). `reserved` holds file names (with extension) not to give out.
 */
export const placeFileNames = (
  files: ReadonlyArray<FileToName>,
  ext: string,
  style: FileNames = "original",
  reserved: Iterable<string> = []
): ReadonlyArray<string> => {
  const taken = new Set([...reserved].map((file) => file.toLowerCase()))
  const styles = files.map((f) => f.style ?? style)
  const bases = files.map((f, i) => baseFileName(f.name, styles[i]))
  const identities = files.map((f) => f.identity.toLowerCase())
  const owners = new Map<string, Set<string>>()
  bases.forEach((base, i) => {
    const key = `${base}.${ext}`.toLowerCase()
    owners.set(key, (owners.get(key) ?? new Set()).add(identities[i]!))
  })
  const chosen = bases.map((base, i) => {
    const key = `${base}.${ext}`.toLowerCase()
    return owners.get(key)!.size > 1 || taken.has(key) ? withIdentity(base, identities[i]!, styles[i]) : base
  })
  // What still collides is settled in order of identity, so that a reordering moves no name.
  const listed = new Set([...chosen.map((c) => `${c}.${ext}`.toLowerCase()), ...taken])
  const order = files.map((_, i) => i).sort((a, b) => compare(identities[a]!, identities[b]!) || a - b)
  const names: Array<string> = []
  for (const i of order) {
    const first = `${chosen[i]}.${ext}`
    let candidate = first
    // A numbered name skips every first choice too, so that it never takes another file's.
    const inUse = (c: string) => taken.has(c.toLowerCase()) || (c !== first && listed.has(c.toLowerCase()))
    for (let n = 2; inUse(candidate); n++) candidate = `${numberedIn(chosen[i]!, n, styles[i]!)}.${ext}`
    taken.add(candidate.toLowerCase())
    names[i] = candidate
  }
  return names
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
