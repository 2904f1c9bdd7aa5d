/** Whether bytes are one JSON text, for `ApiCall`'s byte helpers and the `request()` pipeline (internal/apiSend.ts). */
import { isUtf8 } from "node:buffer"

/** Parses `bytes` as JSON (strict UTF-8), or `undefined` when they are not JSON. Used to check, never to write. */
export const parsed = (bytes: Uint8Array): { readonly value: unknown } | undefined => {
  if (!isUtf8(bytes)) return undefined
  try {
    return { value: JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) }
  } catch {
    return undefined
  }
}
