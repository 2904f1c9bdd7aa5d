/**
 * A key of an options object that is an option written another way: in another case or with `_`/`-` (`timezone`,
 * `time_zone` as ThoughtSpot's `GET system` spells it, `row-offset`), or another common name of the time zone
 * (`tz`, `zone`). Ignored, it would leave the data zone at UTC (or an option at its default) without a word. Other
 * keys are left alone, since TypeScript lets an object with more properties through.
 */
import { renderValue } from "./readCell.ts"

/** Names people give the time zone option. */
const zoneNames = new Set(["tz", "zone", "timezonename", "zonename", "datatimezone"])

const loose = (key: string): string => key.toLowerCase().replace(/[_\-\s]/g, "")

/** Why `options` holds a key that is one of `names` written another way, or undefined. */
export const misspeltOption = (options: object, names: ReadonlyArray<string>): string | undefined => {
  for (const key of Object.keys(options)) {
    if (names.includes(key)) continue
    const written = loose(key)
    const option =
      names.find((name) => name.toLowerCase() === written) ??
      (zoneNames.has(written) && names.includes("timeZone") ? "timeZone" : undefined)
    if (option !== undefined)
      return `options has the key ${renderValue(key)}, which is no option: the option is spelt ${option}`
  }
  return undefined
}
