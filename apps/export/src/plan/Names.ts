/**
 * Warehouse-ready names: `--column-names snake` and `--file-names slug`, and the rule `spotpipe load` names tables
 * by (load/Warehouse.ts). Each turns user text (a result's column names, object and visualization names, file
 * paths) into an identifier any warehouse or file system takes unquoted: lower-case ASCII letters, digits and `_`.
 * A name's identifier depends on that name alone wherever it can, so that two runs never give one identifier to
 * two different names (an append would put one column's values into the other's). The rule, in order:
 *
 * 1. NFKD, then combining marks are dropped, so a letter with an accent becomes its base letter (`é` → `e`,
 *    `ﬁ` → `fi`); a letter or digit NFKD gives no ASCII base for (`ß`, `収`) is dropped.
 * 2. Lower case; every run of other characters (spaces, punctuation, parentheses) becomes one `_`; `_` at either
 *    end is trimmed. `Month(Order Date)` → `month_order_date`.
 * 3. A column name never starts with a digit (`c_` is put before it: `2024 Sales` → `c_2024_sales`); at most 63
 *    characters (PostgreSQL's identifier limit).
 * 4. When step 1 dropped a letter or digit, or nothing is left, `_` and a hash of the whole name (the first 8 hex
 *    digits of its UTF-8 SHA-256) end the identifier, after `column` (a file: `untitled`) when nothing is left:
 *    `Größe` → `groe_…`, `収益` → `column_…`. The hash keeps the name's own identity, in any run.
 * 5. Different names of one result (or run) that still share an identifier (`Revenue`, `revenue`) each get their
 *    hash the same way: none of them keeps the plain identifier, so none takes another's place from run to run.
 *
 * Only what is the same name still (a result repeating a column name) is numbered `_2`, `_3`, … in column order,
 * skipping any identifier another name has. File names (`--file-names slug`) take steps 1–4 here; collisions of
 * file names within a folder are settled in FileName.ts, by each object's identity.
 */
import { createHash } from "node:crypto"
import type { ColumnRenamer, OutputColumn } from "../formats/RowRenderer.ts"

/** How result column names are written: as the result has them, or as snake_case identifiers. */
export type ColumnNames = "original" | "snake"
/** How file and folder names are made: from the object's name (sanitized), or as slugs. */
export type FileNames = "original" | "slug"

/** Longest identifier written (PostgreSQL truncates longer ones silently). */
export const maxIdentifierLength = 63

const marks = /\p{M}/gu
// Letters and digits left outside ASCII once marks are gone: dropped, so `Größe` stays one word (`groe`).
const foreignWordCharacters = /(?!\p{ASCII})[\p{L}\p{N}]/gu
const foreignWordCharacter = /(?!\p{ASCII})[\p{L}\p{N}]/u
const other = /[^a-z0-9]+/g

/** Lower-case ASCII words of `text` joined by `_` (steps 1 and 2 of the rule); may be empty. */
export const asciiWords = (text: string): string =>
  text
    .normalize("NFKD")
    .replace(marks, "")
    .replace(foreignWordCharacters, "")
    .toLowerCase()
    .replace(other, "_")
    .replace(/^_+|_+$/g, "")

/** Whether step 1 of the rule drops a letter or digit of `text` (one with no ASCII base, such as `ß` or `収`). */
export const dropsLetters = (text: string): boolean =>
  foreignWordCharacter.test(text.normalize("NFKD").replace(marks, ""))

/** The first 8 hex digits of the SHA-256 of `text` (UTF-8): the hash of step 4 of the rule. */
export const nameHash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8)

const cut = (text: string, length: number): string => text.slice(0, length).replace(/_+$/, "")

/** `base` (cut to fit) with `_` and the hash of `name`: at most {@link maxIdentifierLength} characters. */
export const hashed = (base: string, name: string): string => {
  const suffix = `_${nameHash(name)}`
  return `${cut(base, maxIdentifierLength - suffix.length)}${suffix}`
}

/** One column name as a snake_case identifier: steps 1–4 of the rule (without collisions between names). */
export const snakeName = (name: string): string => {
  let snake = asciiWords(name)
  const lossy = snake === "" || dropsLetters(name)
  if (snake === "") snake = "column"
  if (snake.charCodeAt(0) >= 48 && snake.charCodeAt(0) <= 57) snake = `c_${snake}`
  return lossy ? hashed(snake, name) : cut(snake, maxIdentifierLength)
}

/** One object name as a file-name slug: steps 1, 2 and 4 of the rule (never empty; without collisions). */
export const slugName = (name: string): string => {
  const slug = asciiWords(name)
  if (slug === "") return hashed("untitled", name)
  return dropsLetters(name) ? hashed(slug, name) : cut(slug, maxIdentifierLength)
}

/** `base` with a `_n` suffix, cut so that the whole stays within {@link maxIdentifierLength}. */
export const numbered = (base: string, n: number): string => {
  const suffix = `_${n}`
  return `${cut(base, maxIdentifierLength - suffix.length)}${suffix}`
}

/** A name to give an identifier: `name` is its text (what is hashed), `id` its identifier before step 5. */
export interface NameToPlace {
  readonly name: string
  readonly id: string
}

/**
 * Distinct identifiers for `names`, in order: step 5 of the rule (each of different names sharing an identifier,
 * or taking one of `reserved`, gets its hash), then the same name repeated numbered `_2`, `_3`, … in the order
 * given, skipping every identifier another name has and `reserved`.
 */
export const placeNames = (
  names: ReadonlyArray<NameToPlace>,
  reserved: ReadonlySet<string> = new Set()
): ReadonlyArray<string> => {
  const namesOf = new Map<string, Set<string>>()
  for (const n of names) namesOf.set(n.id, (namesOf.get(n.id) ?? new Set()).add(n.name))
  const ids = names.map((n) => (namesOf.get(n.id)!.size > 1 || reserved.has(n.id) ? hashed(n.id, n.name) : n.id))
  const listed = new Set([...ids, ...reserved])
  const used = new Set<string>(reserved)
  return ids.map((id) => {
    let chosen = id
    for (let n = 2; used.has(chosen) || (chosen !== id && listed.has(chosen)); n++) chosen = numbered(id, n)
    used.add(chosen)
    return chosen
  })
}

/** Distinct snake_case identifiers for the column names `names`, in order (the whole rule). */
export const distinctSnakeNames = (names: ReadonlyArray<string>): ReadonlyArray<string> =>
  placeNames(names.map((name) => ({ name, id: snakeName(name) })))

/** What a period-end companion's identifier is hashed with: its column's name and ` (end)`. */
const endName = (source: string): string => `${source} (end)`

/**
 * The written columns with snake_case names: result columns first (the whole rule), then each period-end
 * companion as `<its column's identifier>_end`. Where a companion's identifier is a result column's too, both get
 * their hash (the companion's of `<its column's name> (end)`). `source_name` keeps the result's name (when it
 * differs); `end_of` follows its column's new name.
 */
export const snakeColumns = (columns: ReadonlyArray<OutputColumn>): ReadonlyArray<OutputColumn> => {
  const results = columns.filter((c) => c.end_of === undefined)
  const sources = results.map((c) => c.source_name ?? c.name)
  const names = [...distinctSnakeNames(sources)]
  const sourceOf = new Map(results.map((c, i) => [c.name, sources[i]!]))
  const indexOf = new Map(results.map((c, i) => [c.name, i]))
  const companions = columns.filter((c) => c.end_of !== undefined)
  const endOf = (i: number) => cut(`${names[i]}_end`, maxIdentifierLength)
  // A companion meeting a result column: the result column takes its hash first, then the companion's is made.
  const clashing = new Set(companions.map((c) => endOf(indexOf.get(c.end_of!)!)).filter((id) => names.includes(id)))
  names.forEach((id, i) => {
    if (clashing.has(id)) names[i] = hashed(id, sources[i]!)
  })
  const ends = companions.map((c) => {
    const i = indexOf.get(c.end_of!)!
    const id = endOf(i)
    return {
      name: endName(sources[i]!),
      id: clashing.has(id) || names.includes(id) ? hashed(id, endName(sources[i]!)) : id
    }
  })
  const placed = placeNames([...results.map((_, i) => ({ name: sources[i]!, id: names[i]! })), ...ends])
  const renamed = new Map(results.map((c, i) => [c.name, placed[i]!]))
  let companion = results.length
  return columns.map((column) => {
    if (column.end_of === undefined) {
      const name = renamed.get(column.name)!
      const { source_name: _, ...rest } = column
      const source = sourceOf.get(column.name)!
      return name === source ? { ...rest, name } : { ...rest, name, source_name: source }
    }
    return { ...column, name: placed[companion++]!, end_of: renamed.get(column.end_of)! }
  })
}

/** The renderer's renaming for `style` (none: names as the result has them). */
export const renamerOf = (style: ColumnNames | undefined): ColumnRenamer | undefined =>
  style === "snake" ? snakeColumns : undefined
