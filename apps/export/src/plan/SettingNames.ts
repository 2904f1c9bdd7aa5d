/**
 * An export's settings named in its user's own words: a single command's by its flags (`--since-column`), a job
 * file's export by its keys and position (`exports[2].sinceColumn`, `"since": "last"`). Every message about a
 * setting names it through {@link settingNames}, so one that came from a job file never tells its user of a flag
 * they did not write.
 */

/** Where a setting or an identifier was given, so a message points there: on the command line or in the job file. */
export type GivenIn = "command line" | "job file"

/** The starting point `last` (JobFile.ts `lastWord`; not imported, so that any module may name settings). */
const lastWord = "last"

/** A setting messages name: its job-file key. */
export type Setting =
  | "sinceColumn"
  | "since"
  | "until"
  | "modifiedSince"
  | "query"
  | "runtimeFilters"
  | "visualizations"
  | "sort"
  | "strict"
  | "timezone"
  | "columnNames"
  | "nullString"

/** A setting a job file's `defaults` may hold too. */
export type DefaultSetting = "strict" | "timezone" | "columnNames" | "nullString"

/** The flag of each setting. */
const flags: Readonly<Record<Setting, string>> = {
  sinceColumn: "--since-column",
  since: "--since",
  until: "--until",
  modifiedSince: "--modified-since",
  query: "--query",
  runtimeFilters: "--runtime-filter",
  visualizations: "--viz",
  sort: "--sort",
  strict: "--strict",
  timezone: "--timezone",
  columnNames: "--column-names",
  nullString: "--null-string"
}

/** A job file's value of `setting` for one item `value` (a flag takes one item each time). */
const jobValue = (setting: Setting, value: string): string => {
  switch (setting) {
    case "visualizations":
      return `[${JSON.stringify(value)}]`
    case "sort":
      return `[{"column": ${JSON.stringify(value)}}]`
    default:
      return JSON.stringify(value)
  }
}

/** How an export's messages name its settings. */
export interface SettingNames {
  /** Where the export was given. */
  readonly givenIn: GivenIn
  /** The setting (with the value given, when `value` is): `--since "x"`, or `exports[2].since "x"`. */
  readonly named: (setting: Setting, value?: string) => string
  /** The setting as its user would write it with `value`: `--since last`, or `"since": "last"`. */
  readonly written: (setting: Setting, value: string) => string
  /** A run that starts where the previous one left off: `--since last run`, or `run with "since": "last"`. */
  readonly lastRun: (setting: "since" | "modifiedSince") => string
  /** The setting given `last`: `--since last`, or `exports[2].since "last"`. */
  readonly last: (setting: "since" | "modifiedSince") => string
  /** A run's `flags` with the setting written with `value`: `--orgs 5 --since DATE`, or `--orgs 5, with "since": "DATE"`. */
  readonly alongside: (flags: string, setting: Setting, value: string) => string
  /** A switch turned on: `--strict`, or `"strict": true`. */
  readonly on: (setting: "strict") => string
  /** How to give the setting: `pass --timezone`, or `set "timezone" in "defaults" or in each export`. */
  readonly toGive: (setting: DefaultSetting) => string
}

/** A flag's value as a shell takes it: bare when it is one plain word, else in double quotes. */
const flagValue = (value: string) => (/^[\w.:+-]+$/.test(value) ? value : `"${value}"`)

/** The settings of a single command, by their flags. */
export const commandLineNames: SettingNames = {
  givenIn: "command line",
  named: (setting, value) => (value === undefined ? flags[setting] : `${flags[setting]} "${value}"`),
  written: (setting, value) => `${flags[setting]} ${flagValue(value)}`,
  lastRun: (setting) => `${flags[setting]} last run`,
  last: (setting) => `${flags[setting]} last`,
  alongside: (given, setting, value) => `${given} ${commandLineNames.written(setting, value)}`,
  on: (setting) => flags[setting],
  toGive: (setting) => `pass ${flags[setting]}`
}

/** The settings of the export at `index` (0-based) of a job file, by its keys. */
const jobFileNames = (index: number): SettingNames => {
  const named = (setting: Setting, value?: string) =>
    value === undefined ? `exports[${index}].${setting}` : `exports[${index}].${setting} ${JSON.stringify(value)}`
  const written = (setting: Setting, value: string) => `"${setting}": ${jobValue(setting, value)}`
  return {
    givenIn: "job file",
    named,
    written,
    lastRun: (setting) => `run with ${written(setting, lastWord)}`,
    last: (setting) => named(setting, lastWord),
    alongside: (given, setting, value) => `${given}, with ${written(setting, value)}`,
    on: (setting) => `"${setting}": true`,
    toGive: (setting) => `set "${setting}" in "defaults" or in each export`
  }
}

/** The exports of each object type a job file or command writes, to say how to export an object of another type. */
const exportedAs = {
  answer: { command: "spotpipe answer", job: '"type": "answer"' },
  liveboard: { command: "spotpipe liveboard", job: '"type": "liveboard"' },
  search: { command: "spotpipe search --table", job: '"type": "search" with "table"' }
} as const

/** How an export of `type` is written where the export was given: `spotpipe search --table`, or `"type": "search" with "table"`. */
export const exportOfType = (givenIn: GivenIn | undefined, type: keyof typeof exportedAs): string =>
  givenIn === "job file" ? exportedAs[type].job : exportedAs[type].command

/** How the messages of `entry` (an export: its position and where it was given) name its settings. */
export const settingNames = (entry: { readonly index: number; readonly givenIn?: GivenIn }): SettingNames =>
  entry.givenIn === "job file" ? jobFileNames(entry.index) : commandLineNames
