/**
 * Which zone names a data time zone may be given by. `Intl` (ICU) also reads some abbreviations and old Java IDs
 * as zones: "PST" as America/Los_Angeles (with daylight saving, while a user writing PST may mean UTC-8 all year),
 * "BST" as Asia/Dhaka (not British Summer Time), "AST" as America/Anchorage, "IST" as Asia/Kolkata. Such a name is
 * ambiguous, so only the tz database's own names and links and UTC offsets are taken; an abbreviation gets advice
 * naming the likely zone and the fixed offset.
 */

/** The tz database's zone and link names without a "/" (in lower case: `Intl` takes any case). */
const slashlessNames = new Set(
  [
    "CET",
    "CST6CDT",
    "Cuba",
    "EET",
    "EST",
    "EST5EDT",
    "Egypt",
    "Eire",
    "GB",
    "GB-Eire",
    "GMT",
    "GMT+0",
    "GMT-0",
    "GMT0",
    "Greenwich",
    "HST",
    "Hongkong",
    "Iceland",
    "Iran",
    "Israel",
    "Jamaica",
    "Japan",
    "Kwajalein",
    "Libya",
    "MET",
    "MST",
    "MST7MDT",
    "NZ",
    "NZ-CHAT",
    "Navajo",
    "PRC",
    "PST8PDT",
    "Poland",
    "Portugal",
    "ROC",
    "ROK",
    "Singapore",
    "Turkey",
    "UCT",
    "UTC",
    "Universal",
    "W-SU",
    "WET",
    "Zulu"
  ].map((name) => name.toLowerCase())
)

/**
 * True for a name of the tz database (with a "/", or one of its names without) or a UTC offset (`-08:00`, `+0530`,
 * `+05`: a sign first; `Intl` checks the rest). Only the form is checked here: `Intl` still decides whether it knows
 * the name.
 */
export const isZoneNameOrOffset = (name: string): boolean =>
  name.includes("/") || /^[+\-\u2212]/.test(name) || slashlessNames.has(name.toLowerCase())

/** The zone an abbreviation most likely means, how to call it, its fixed offset, and other readings if any. */
type Likely = readonly [zone: string, what: string, offset: string, others?: string]

const dst = "with daylight saving"
// Common abbreviations (upper case), whether or not Intl reads them, with the zone most users mean by them.
const abbreviations: Record<string, Likely> = {
  PST: ["America/Los_Angeles", `Pacific time, ${dst}`, "-08:00"],
  PDT: ["America/Los_Angeles", `Pacific time, ${dst}`, "-07:00"],
  MDT: ["America/Denver", `Mountain time, ${dst}`, "-06:00"],
  CST: ["America/Chicago", `US Central time, ${dst}`, "-06:00", "China Standard Time is Asia/Shanghai"],
  CDT: ["America/Chicago", `US Central time, ${dst}`, "-05:00"],
  EDT: ["America/New_York", `US Eastern time, ${dst}`, "-04:00"],
  AKST: ["America/Anchorage", `Alaska time, ${dst}`, "-09:00"],
  AKDT: ["America/Anchorage", `Alaska time, ${dst}`, "-08:00"],
  AST: ["America/Halifax", `Atlantic time, ${dst}`, "-04:00"],
  ADT: ["America/Halifax", `Atlantic time, ${dst}`, "-03:00"],
  NST: ["America/St_Johns", `Newfoundland time, ${dst}`, "-03:30"],
  NDT: ["America/St_Johns", `Newfoundland time, ${dst}`, "-02:30"],
  BRT: ["America/Sao_Paulo", "Brasilia time, as it has changed", "-03:00"],
  ART: ["America/Argentina/Buenos_Aires", "Argentina time, as it has changed", "-03:00"],
  BST: ["Europe/London", `UK time, ${dst}`, "+01:00", "Bangladesh Standard Time is Asia/Dhaka"],
  IST: [
    "Asia/Kolkata",
    "India time",
    "+05:30",
    "Irish Standard Time is Europe/Dublin, Israel Standard Time Asia/Jerusalem"
  ],
  CEST: ["Europe/Berlin", `Central European time, ${dst}`, "+02:00"],
  EEST: ["Europe/Athens", `Eastern European time, ${dst}`, "+03:00"],
  WEST: ["Europe/Lisbon", `Western European time, ${dst}`, "+01:00"],
  MSK: ["Europe/Moscow", "Moscow time, as it has changed", "+03:00"],
  SAST: ["Africa/Johannesburg", "South Africa time", "+02:00"],
  CAT: ["Africa/Maputo", "Central Africa time", "+02:00"],
  EAT: ["Africa/Nairobi", "East Africa time", "+03:00"],
  WAT: ["Africa/Lagos", "West Africa time", "+01:00"],
  PKT: ["Asia/Karachi", "Pakistan time", "+05:00"],
  ICT: ["Asia/Bangkok", "Indochina time", "+07:00"],
  WIB: ["Asia/Jakarta", "Western Indonesia time", "+07:00"],
  SGT: ["Asia/Singapore", "Singapore time", "+08:00"],
  HKT: ["Asia/Hong_Kong", "Hong Kong time", "+08:00"],
  PHT: ["Asia/Manila", "Philippine time", "+08:00"],
  AWST: ["Australia/Perth", "Western Australia time", "+08:00"],
  JST: ["Asia/Tokyo", "Japan time", "+09:00"],
  KST: ["Asia/Seoul", "Korea time", "+09:00"],
  ACST: ["Australia/Adelaide", `Central Australia time, ${dst}`, "+09:30"],
  ACDT: ["Australia/Adelaide", `Central Australia time, ${dst}`, "+10:30"],
  AEST: ["Australia/Sydney", `Eastern Australia time, ${dst}`, "+10:00"],
  AEDT: ["Australia/Sydney", `Eastern Australia time, ${dst}`, "+11:00"],
  NZST: ["Pacific/Auckland", `New Zealand time, ${dst}`, "+12:00"],
  NZDT: ["Pacific/Auckland", `New Zealand time, ${dst}`, "+13:00"]
}

// "-08:00" -> "UTC-8", "+05:30" -> "UTC+5:30".
const utcText = (offset: string): string => {
  const [hours = "", minutes = ""] = offset.slice(1).split(":")
  return `UTC${offset[0]}${Number(hours)}${minutes === "00" ? "" : `:${minutes}`}`
}

/**
 * The message for a name that is no tz database name nor offset (see {@link isZoneNameOrOffset}): advice for a
 * common abbreviation; for another name `Intl` reads as a zone (`canonical`), that zone; `undefined` for a name
 * `Intl` does not know either and no abbreviation has, which is simply unknown.
 */
export const abbreviationMessage = (name: string, canonical: string | undefined): string | undefined => {
  const shown = JSON.stringify(name)
  const likely = abbreviations[name.toUpperCase()]
  if (likely !== undefined) {
    const [zone, what, offset, others] = likely
    return `${shown} is an abbreviation, not a time zone: use ${zone} (${what}) or ${offset} (${utcText(offset)} all year)${others === undefined ? "" : `; ${others}`}.`
  }
  if (canonical === undefined) return undefined
  return `${shown} is not a time zone name of the tz database (this runtime reads it as ${canonical}, which may not be what is meant): use an IANA name such as ${canonical}, or a fixed offset such as -08:00.`
}

/** A UTC offset written another way than Intl takes it: `UTC+5`, `GMT-08:00`, `+5:30`, `utc-8`. */
const OFFSET_LIKE = /^(utc|gmt)?\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?$/i

/**
 * For a name `Intl` does not know that reads as a UTC offset, the offset as it is written (`+05:30`), and for a
 * `GMT` one the warning that the tz database's `Etc/GMT+5` is UTC-5; otherwise undefined.
 */
export const offsetAdvice = (name: string): string | undefined => {
  const match = OFFSET_LIKE.exec(name.trim())
  if (match === null) return undefined
  const hours = Number(match[3])
  const minutes = Number(match[4] ?? "0")
  if (hours > 23 || minutes > 59) return undefined
  const sign = match[2] === "+" ? "+" : "-"
  const offset = `${sign}${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`
  const gmt =
    match[1]?.toLowerCase() === "gmt" && minutes === 0
      ? `; not Etc/GMT${sign}${hours}, which the tz database makes UTC${sign === "+" ? "-" : "+"}${hours} (it inverts the sign)`
      : ""
  return `${JSON.stringify(name)} is no time zone this runtime knows: a fixed UTC offset is written ±HH:MM, here ${offset} (${utcText(offset)} all year${gmt}); for a zone with daylight saving, use its IANA name (e.g. America/Los_Angeles).`
}
