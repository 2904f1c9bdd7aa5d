/**
 * `@spotpipe/decode`: ThoughtSpot date cells (epoch seconds or Custom Calendar `{"v":{"s":…}}`) -> normalized
 * periods -> text in any IANA zone. Pure and browser-safe: no I/O, no Node APIs, and no imports at all beyond
 * its own modules (Effect Schema codecs are in `@spotpipe/decode/schema`, `./schema.ts`).
 */
export { type CellWriter, INVALID_CELL, MAX_CELL_BYTES, makeCellWriter, NO_TEXT } from "./CellWriter.ts"
export { civilDate, formatDays, formatSecondOfDay } from "./CivilText.ts"
export {
  type Column,
  type DateColumnType,
  isDateColumnType,
  isPlainColumnType,
  type PlainColumnType
} from "./ColumnType.ts"
export {
  DATE_CELL_ERROR_REASONS,
  DateCellError,
  type DateCellErrorFields,
  type DateCellErrorReason,
  InvalidTimeZoneError,
  type InvalidTimeZoneErrorFields,
  isDateCellError
} from "./DateCellError.ts"
export {
  type CellLocation,
  type Decoded,
  type DecodeMode,
  type DecodeOptions,
  type DecodeResult,
  decodeCell,
  decodeColumn,
  decodeCompactRows,
  decodeFullRows
} from "./Decode.ts"
export {
  type CalendarCell,
  encodePeriod,
  isPeriod,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  makePeriod,
  type Period,
  periodValue,
  type WireDateValue,
  type WireForm
} from "./Period.ts"
export { type CellRenderer, makeCellRenderer, makeEndRenderer, type OffsetStyle, type RenderOptions } from "./Render.ts"
export { resolveTimeZone, type TimeZone, UTC } from "./TimeZone.ts"
