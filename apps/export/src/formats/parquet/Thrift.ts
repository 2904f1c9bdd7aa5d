/**
 * The Thrift compact protocol, as far as Parquet's footer and page headers need it: structs of integer, boolean,
 * binary, list and struct fields, written ({@link encodeStruct}) and read back ({@link decodeStruct}). Field ids
 * are deltas from the previous field of the same struct, integers zigzag varints (the format's own encoding, not
 * a choice).
 */

// Compact type ids of the field header's low nibble.
const TRUE = 1
const FALSE = 2
const I8 = 3
const I16 = 4
const I32 = 5
const I64 = 6
const BINARY = 8
const LIST = 9
const STRUCT = 12

/** A field's value: the writer picks the wire type from the variant. */
export type ThriftValue =
  | { readonly i8: number }
  | { readonly i16: number }
  | { readonly i32: number }
  | { readonly i64: number | bigint }
  | { readonly bool: boolean }
  | { readonly binary: string | Uint8Array }
  | { readonly struct: ThriftStruct }
  | { readonly list: ReadonlyArray<ThriftValue> }
  /** A struct already encoded (by {@link encodeStruct}): its bytes go in as they are. */
  | { readonly encoded: Uint8Array }

/** A struct: field id → value (absent optional fields are left out, or `undefined`). */
export type ThriftStruct = ReadonlyArray<readonly [id: number, value: ThriftValue | undefined]>

/** Growable output of the encoder. */
class Output {
  bytes = new Uint8Array(256)
  length = 0
  byte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.bytes[this.length++] = value
  }
  raw(values: Uint8Array): void {
    for (const value of values) this.byte(value)
  }
  /** An unsigned varint of a non-negative integer (as a bigint, so 64-bit values stay exact). */
  varint(value: bigint): void {
    let rest = value
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80)
      rest >>= 7n
    }
    this.byte(Number(rest))
  }
  zigzag(value: number | bigint): void {
    const v = BigInt(value)
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n)
  }
}

const typeOf = (value: ThriftValue): number =>
  "i8" in value
    ? I8
    : "i16" in value
      ? I16
      : "i32" in value
        ? I32
        : "i64" in value
          ? I64
          : "bool" in value
            ? value.bool
              ? TRUE
              : FALSE
            : "binary" in value
              ? BINARY
              : "struct" in value || "encoded" in value
                ? STRUCT
                : LIST

const utf8 = new TextEncoder()

const writeValue = (out: Output, value: ThriftValue, inList: boolean): void => {
  if ("i8" in value) out.byte(value.i8 & 0xff)
  else if ("i16" in value) out.zigzag(value.i16)
  else if ("i32" in value) out.zigzag(value.i32)
  else if ("i64" in value) out.zigzag(value.i64)
  else if ("bool" in value) {
    // In a field header the value is the type itself; in a list it is a byte of its own.
    if (inList) out.byte(value.bool ? TRUE : FALSE)
  } else if ("binary" in value) {
    const bytes = typeof value.binary === "string" ? utf8.encode(value.binary) : value.binary
    out.varint(BigInt(bytes.length))
    out.raw(bytes)
  } else if ("struct" in value) writeStruct(out, value.struct)
  else if ("encoded" in value) out.raw(value.encoded)
  else {
    const elementType = value.list.length === 0 ? I32 : typeOf(value.list[0]!)
    if (value.list.length < 15) out.byte((value.list.length << 4) | elementType)
    else {
      out.byte(0xf0 | elementType)
      out.varint(BigInt(value.list.length))
    }
    for (const element of value.list) writeValue(out, element, true)
  }
}

const writeStruct = (out: Output, struct: ThriftStruct): void => {
  let last = 0
  for (const [id, value] of struct) {
    if (value === undefined) continue
    const delta = id - last
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | typeOf(value))
    else {
      out.byte(typeOf(value))
      out.zigzag(id)
    }
    writeValue(out, value, false)
    last = id
  }
  out.byte(0) // stop
}

/** The compact-protocol bytes of a struct. */
export const encodeStruct = (struct: ThriftStruct): Uint8Array => {
  const out = new Output()
  writeStruct(out, struct)
  return out.bytes.subarray(0, out.length)
}

/** A field's value as read: integers as numbers (exact up to 2^53, else refused), lists as arrays. */
export type ThriftRead = number | boolean | Uint8Array | ThriftFields | ReadonlyArray<ThriftRead>
/** A struct as read: field id → value. */
export type ThriftFields = ReadonlyMap<number, ThriftRead>

/** Bytes that are not a struct this reader takes (cut short, an unknown type, an integer past 2^53). */
export class ThriftReadError extends Error {}

class Input {
  readonly bytes: Uint8Array
  at: number
  constructor(bytes: Uint8Array, at: number) {
    this.bytes = bytes
    this.at = at
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new ThriftReadError("the Thrift struct is cut short")
    return this.bytes[this.at++]!
  }
  varint(): number {
    let value = 0
    let scale = 1
    for (;;) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if (b < 0x80) break
      scale *= 128
      if (scale > 2 ** 56) throw new ThriftReadError("a Thrift integer is longer than 8 bytes")
    }
    if (value > Number.MAX_SAFE_INTEGER) throw new ThriftReadError("a Thrift integer is beyond 2^53")
    return value
  }
  zigzag(): number {
    const v = this.varint()
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2
  }
}

const readValue = (input: Input, type: number): ThriftRead => {
  switch (type) {
    case TRUE:
    case FALSE:
      // Only inside a list: a byte of its own (in a field header the type is the value).
      return input.byte() === TRUE
    case I8: {
      const b = input.byte()
      return b > 127 ? b - 256 : b
    }
    case I16:
    case I32:
    case I64:
      return input.zigzag()
    case BINARY: {
      const length = input.varint()
      if (input.at + length > input.bytes.length) throw new ThriftReadError("a Thrift binary is cut short")
      const value = input.bytes.subarray(input.at, input.at + length)
      input.at += length
      return value
    }
    case LIST: {
      const header = input.byte()
      const size = header >> 4 === 15 ? input.varint() : header >> 4
      const elementType = header & 0x0f
      const list: Array<ThriftRead> = []
      for (let i = 0; i < size; i++) list.push(readValue(input, elementType))
      return list
    }
    case STRUCT:
      return readStruct(input)
    default:
      throw new ThriftReadError(`Thrift type ${type} is not one a Parquet footer or page header uses`)
  }
}

const readStruct = (input: Input): ThriftFields => {
  const fields = new Map<number, ThriftRead>()
  let last = 0
  for (;;) {
    const header = input.byte()
    if (header === 0) return fields
    const delta = header >> 4
    const type = header & 0x0f
    const id = delta === 0 ? input.zigzag() : last + delta
    fields.set(id, type === TRUE || type === FALSE ? type === TRUE : readValue(input, type))
    last = id
  }
}

/** The struct whose compact-protocol bytes start at `bytes[at]`, and where it ends. */
export const decodeStruct = (bytes: Uint8Array, at = 0): { readonly fields: ThriftFields; readonly end: number } => {
  const input = new Input(bytes, at)
  const fields = readStruct(input)
  return { fields, end: input.at }
}
