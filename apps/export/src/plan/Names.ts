/**
 * Warehouse-ready names: `--column-names snake` and `--file-names slug`. Both turn user text (a result's column
 * names, object and visualization names) into identifiers any warehouse or file system takes unquoted: lower-case
 * ASCII letters, digits and `_`. The rule, in order:
 *
 * 1. NFKD, then combining marks are dropped, so a letter with an accent becomes its base letter (`é` → `e`,
 *    `ﬁ` → `fi`); a letter or digit NFKD gives no ASCII base for (`ß`, `収`) is dropped, so `Größe` → `groe`.
 * 2. Lower case; every run of other characters (spaces, punctuation, parentheses) becomes one `_`; `_` at either
 *    end is trimmed. `Month(Order Date)` → `month_order_date`.
 * 3. Never empty (`column`, or `untitled` for a file); a column name never starts with a digit (`c_` is put
 *    before it: `2024 Sales` → `c_2024_sales`); at most 63 characters (PostgreSQL's identifier limit).
 *
 * Collisions are numbered `_2`, `_3`, … in column (or allocation) order, skipping any name another column has.
 */
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

const cut = (text: string, length: number): string => text.slice(0, length).replace(/_+$/, "")

/** One column name as a snake_case identifier (without collision handling). */
export const snakeName = (name: string): string => {
  let snake = asciiWords(name)
  if (snake === "") snake = "column"
  if (snake.charCodeAt(0) >= 48 && snake.charCodeAt(0) <= 57) snake = `c_${snake}`
  return cut(snake, maxIdentifierLength)
}

/** One object name as a file-name slug (without collision handling; never empty). */
export const slugName = (name: string): string => {
  const slug = asciiWords(name)
  return slug === "" ? "untitled" : cut(slug, maxIdentifierLength)
}

/** `base` with a `_n` suffix, cut so that the whole stays within {@link maxIdentifierLength}. */
export const numbered = (base: string, n: number): string => {
  const suffix = `_${n}`
  return `${cut(base, maxIdentifierLength - suffix.length)}${suffix}`
}

/**
 * Distinct snake_case names for `names`, in order: the first of a name keeps it, later ones get `_2`, `_3`, … —
 * the first such name that no column has and none given before took.
 */
export const distinctSnakeNames = (names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const bases = names.map(snakeName)
  const listed = new Set(bases)
  const used = new Set<string>()
  return bases.map((base) => {
    let chosen = base
    for (let n = 2; used.has(chosen) || (chosen !== base && listed.has(chosen)); n++) chosen = numbered(base, n)
    used.add(chosen)
    return chosen
  })
}

/**
 * The written columns with snake_case names: result columns first (in order, numbered on collision), then each
 * period-end companion as `<its column's name>_end`, numbered if a result column or an earlier companion has
 * that name. `source_name` keeps the result's name (when it differs); `end_of` follows its column's new name.
 */
export const snakeColumns = (columns: ReadonlyArray<OutputColumn>): ReadonlyArray<OutputColumn> => {
  const results = columns.filter((c) => c.end_of === undefined)
  const names = distinctSnakeNames(results.map((c) => c.source_name ?? c.name))
  const renamed = new Map(results.map((c, i) => [c.name, names[i]!]))
  const taken = new Set(names)
  return columns.map((column) => {
    if (column.end_of === undefined) {
      const name = renamed.get(column.name)!
      const { source_name: _, ...rest } = column
      const source = column.source_name ?? column.name
      return name === source ? { ...rest, name } : { ...rest, name, source_name: source }
    }
    const of = renamed.get(column.end_of)!
    const base = cut(`${of}_end`, maxIdentifierLength)
    let name = base
    for (let n = 2; taken.has(name); n++) name = numbered(base, n)
    taken.add(name)
    return { ...column, name, end_of: of }
  })
}

/** The renderer's renaming for `style` (none: names as the result has them). */
export const renamerOf = (style: ColumnNames | undefined): ColumnRenamer | undefined =>
  style === "snake" ? snakeColumns : undefined
