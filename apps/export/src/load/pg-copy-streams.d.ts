// The part of pg-copy-streams (no published types) that loads use.
declare module "pg-copy-streams" {
  import type { Writable } from "node:stream"
  /** `COPY … FROM STDIN` as a writable stream; `rowCount` once it has finished. */
  export function from(text: string): Writable & { readonly rowCount: number; submit(connection: unknown): void }
}
