/**
 * Which local day a DATE cell's instant starts, for the DATE renderers and writers.
 */
import { MIN_EPOCH_SECONDS } from "../Period.ts"

const SECONDS_PER_DAY = 86400

/**
 * The day number of the local day that starts at instant `t` in a zone, or NaN when no day starts there. A day
 * starts at its local midnight, or, where the clocks jumped past midnight (America/Sao_Paulo on 2018-11-04, 00:00
 * to 01:00), at the first instant after the jump: the local day of the second before it is an earlier one. That
 * instant is what a day's bucket start is there (its midnight does not exist), so it is its date, not a
 * `NotMidnight`. Only a DATE cache miss that is no midnight pays for the second lookup.
 */
export const startedDay = (t: number, offsetSeconds: (epochSeconds: number) => number): number => {
  const local = t + offsetSeconds(t)
  if (local % SECONDS_PER_DAY === 0) return local / SECONDS_PER_DAY
  if (t <= MIN_EPOCH_SECONDS) return Number.NaN
  const day = Math.floor(local / SECONDS_PER_DAY)
  const before = t - 1 + offsetSeconds(t - 1)
  return before < day * SECONDS_PER_DAY ? day : Number.NaN
}
