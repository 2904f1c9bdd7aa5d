/**
 * The Thrift compact protocol, write side only, as far as Parquet's footer and page headers need it: structs of
 * integer, boolean, binary, list and struct fields. Field ids are written as deltas from the previous field of the
 * same struct, integers as zigzag varints (the format's own encoding, not a choice).
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
