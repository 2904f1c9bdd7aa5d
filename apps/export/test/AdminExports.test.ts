/**
 * The admin exports' pure parts: a TML answer's item for its object (its own item, or a failure; other items are
 * warnings, never dropped silently), and `fetch-permissions` answers as rows (every object asked for exactly once,
 * any other shape refused), the principals' `users` rows, and TML file names (a full listing's, whatever is written).
 */
import { describe, expect, it } from "@effect/vitest"
import type { Tml } from "@spotpipe/core"
import { Effect, Exit } from "effect"
import { metadataColumns, type PrincipalListing } from "../src/cluster/Cluster.ts"
import { metadataRow } from "../src/cluster/CoreCluster.ts"
import { documentOf, permissionRows, principalTables, TmlFileNames } from "../src/plan/AdminExports.ts"

const object = { type: "LIVEBOARD", id: "lb-1", name: "Sales" }
const exported = (id: string, edoc: string, warning?: string): Tml.TmlItem => ({
  _tag: "TmlExported",
  id,
  name: id,
  type: "liveboard",
  filename: `${id}.liveboard.tml`,
  edoc,
  warning,
  info: {}
})

const failureOf = <A, E extends { readonly message: string }>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason?._tag === "Fail" ? reason.error.message : "no failure"
}

describe("documentOf", () => {
  it("takes-the-object-s-own-item-and-names-every-other-item-as-a-warning", () => {
    const result = Effect.runSync(
      documentOf(object, 'TML of liveboard "Sales"', [
        exported("feedback-1", "x"),
        exported("lb-1", "guid: lb-1\n", "old")
      ])
    )
    expect(result.text).toBe("guid: lb-1\n")
    expect(result.warnings).toEqual([
      "ThoughtSpot answered WARNING: old",
      'ThoughtSpot also sent the TML of liveboard "feedback-1", not written with this object (export its type to write it)'
    ])
  })

  it("fails-when-no-item-or-several-are-the-object-s", () => {
    const none = Effect.runSyncExit(documentOf(object, "w", [exported("a", "x"), exported("b", "y")]))
    expect(failureOf(none)).toBe(
      "w: ThoughtSpot answered 2 TML items, 0 of them for this object (lb-1): export it again"
    )
    const twice = Effect.runSyncExit(documentOf(object, "w", [exported("lb-1", "x"), exported("lb-1", "y")]))
    expect(failureOf(twice)).toContain("2 of them for this object")
  })

  it("a-single-item-of-another-object-is-never-written-as-this-one-s", () => {
    const other = Effect.runSyncExit(documentOf(object, "w", [exported("lb-9", "guid: lb-9\n")]))
    expect(failureOf(other)).toBe(
      'w: ThoughtSpot answered the TML of liveboard "lb-9" (lb-9), not of this object (lb-1): its document is not written under this name; export it again, or check that the object still exists'
    )
    // A lone failure is this object's, whatever id it carries: its message is the answer.
    const failed: Tml.TmlItem = {
      _tag: "TmlFailed",
      id: "lb-1-by-name",
      name: undefined,
      type: undefined,
      statusCode: "ERROR",
      message: "gone",
      info: {}
    }
    expect(failureOf(Effect.runSyncExit(documentOf(object, "w", [failed])))).toBe("w: ThoughtSpot answered ERROR: gone")
    // An item without an id is the one asked for: nothing says it is another's.
    const anonymous: Tml.TmlItem = { ...exported("x", "guid: lb-1\n"), id: undefined }
    expect(Effect.runSync(documentOf(object, "w", [anonymous])).text).toBe("guid: lb-1\n")
  })

  it("an-error-item-is-the-output-s-failure-with-the-server-s-message", () => {
    const failed: Tml.TmlItem = {
      _tag: "TmlFailed",
      id: "lb-1",
      name: undefined,
      type: undefined,
      statusCode: "ERROR",
      message: "gone",
      info: {}
    }
    expect(failureOf(Effect.runSyncExit(documentOf(object, "w", [failed])))).toBe("w: ThoughtSpot answered ERROR: gone")
  })
})

describe("permissionRows", () => {
  const objects = [object, { type: "LIVEBOARD", id: "lb-2", name: "Ops" }]
  const detail = (id: string) => ({
    metadata_id: id,
    metadata_type: "LIVEBOARD",
    metadata_name: id,
    principal_permission_info: [
      {
        principal_type: "USER",
        principal_sub_type: "LOCAL_USER",
        principal_permissions: [
          { principal_id: "u1", principal_name: "ana", permission: "MODIFY", shared_permission: "NO_ACCESS" }
        ]
      }
    ]
  })

  it("one-row-per-object-principal-and-permission-in-the-order-asked", () => {
    const rows = Effect.runSync(permissionRows(objects, [detail("lb-2"), detail("lb-1")]))
    expect(rows).toEqual([
      ["LIVEBOARD", "lb-1", "lb-1", "USER", "LOCAL_USER", "u1", "ana", "MODIFY", "NO_ACCESS"],
      ["LIVEBOARD", "lb-2", "lb-2", "USER", "LOCAL_USER", "u1", "ana", "MODIFY", "NO_ACCESS"]
    ])
    // The specification's object form holds the same entries.
    expect(Effect.runSync(permissionRows(objects, { a: detail("lb-1"), b: detail("lb-2") }))).toEqual(rows)
  })

  it("refuses-an-answer-missing-an-object-repeating-one-or-adding-one", () => {
    expect(failureOf(Effect.runSyncExit(permissionRows(objects, [detail("lb-1")])))).toContain(
      'nothing for LIVEBOARD "Ops" (lb-2)'
    )
    expect(
      failureOf(Effect.runSyncExit(permissionRows(objects, [detail("lb-1"), detail("lb-1"), detail("lb-2")])))
    ).toContain("object lb-1 twice")
    expect(
      failureOf(Effect.runSyncExit(permissionRows(objects, [detail("lb-1"), detail("lb-2"), detail("lb-3")])))
    ).toContain("objects that were not asked for (lb-3)")
    expect(failureOf(Effect.runSyncExit(permissionRows(objects, null)))).toContain("no metadata_permission_details")
    const noPermission = { ...detail("lb-2"), principal_permission_info: [{ principal_type: "USER" }] }
    expect(failureOf(Effect.runSyncExit(permissionRows(objects, [detail("lb-1"), noPermission])))).toContain(
      "without principal_permissions"
    )
  })
})

describe("principal users", () => {
  const users = principalTables.find((t) => t.name === "users")!
  const user = (created: number | undefined, modified: number | undefined) =>
    ({
      id: "u-1",
      name: "ana",
      display_name: "Ana",
      visibility: "SHARABLE",
      creation_time_in_millis: created,
      modification_time_in_millis: modified
    }) as unknown as PrincipalListing["users"][number]

  it("times-are-exact-epoch-milliseconds-then-typed-date-times-cut-to-the-second-as-metadata-s", () => {
    const rows = Effect.runSync(users.rows({ users: [user(1_700_000_000_999, undefined)], groups: [], roles: [] }))
    const cells = Object.fromEntries(users.columns.map((c, i) => [c.name, [c.type, rows[0]![i]]]))
    expect(cells["created_ms"]).toEqual(["INT64", 1_700_000_000_999])
    expect(cells["modified_ms"]).toEqual(["INT64", null])
    // DATE_TIME cells are epoch seconds, as metadata's `created`/`modified` are.
    expect(cells["created"]).toEqual(["DATE_TIME", 1_700_000_000])
    expect(cells["modified"]).toEqual(["DATE_TIME", null])
    // Existing columns keep their places: the typed times come last.
    expect(users.columns.map((c) => c.name).slice(-4)).toEqual(["created_ms", "modified_ms", "created", "modified"])
  })
})

describe("metadata rows", () => {
  it("times-are-typed-date-times-cut-to-the-second-then-exact-epoch-milliseconds", () => {
    const row = metadataRow({
      metadata_type: "ANSWER",
      metadata_id: "a1",
      metadata_name: "Sales",
      metadata_header: { created: 1_700_000_000_999, modified: 1_700_000_123_001, tags: [{ name: "x" }] }
    } as unknown as Parameters<typeof metadataRow>[0])
    expect(row.slice(metadataColumns.findIndex((c) => c.name === "created"))).toEqual([
      1_700_000_000,
      1_700_000_123,
      "x",
      1_700_000_000_999,
      1_700_000_123_001
    ])
    expect(metadataColumns.slice(-2)).toEqual([
      { name: "created_ms", type: "INT64" },
      { name: "modified_ms", type: "INT64" }
    ])
  })
})

describe("TmlFileNames", () => {
  const answer = (id: string, name: string) => ({ type: "ANSWER", id, name })
  it("names-what-is-written-as-the-full-listing-names-it", () => {
    const [a, b, c] = [answer("a", "Same"), answer("b", "Same"), answer("c", "Other")]
    const names = new TmlFileNames("tml", "original")
    names.list([c, a, b])
    expect(names.files([b])).toEqual(["answer/Same (2).tml"])
    expect(names.files([a, b, c])).toEqual(["answer/Same.tml", "answer/Same (2).tml", "answer/Other.tml"])
    // The same object found again (another instance, of its type and GUID) has its listed name.
    expect(names.files([answer("b", "Same")])).toEqual(["answer/Same (2).tml"])
    // An object found later (associated) never takes a listed object's name.
    const model = { type: "ANSWER", id: "d", name: "Same" }
    expect(names.files([model])).toEqual(["answer/Same (3).tml"])
  })

  it("names-that-can-take-each-other-s-numbered-names-are-one-group", () => {
    const names = new TmlFileNames("tml", "original")
    const group = (name: string, type = "ANSWER") => names.groupOf({ type, id: "x", name })
    expect(new Set(["Revenue", "revenue", "Revenue (2)", "Revenue (2) (3)", " Revenue "].map((n) => group(n)))).toEqual(
      new Set(["answer/revenue"])
    )
    expect(group("Revenue 2")).not.toBe(group("Revenue"))
    expect(group("Revenue", "LIVEBOARD")).not.toBe(group("Revenue"))
    const slugs = new TmlFileNames("tml", "slug")
    expect(slugs.groupOf(answer("x", "Revenue_2"))).toBe(slugs.groupOf(answer("y", "Revenue")))
  })
})

describe("principal groups", () => {
  const table = (name: string) => principalTables.find((t) => t.name === name)!
  const group = (fields: Record<string, unknown>) =>
    ({
      id: "g-1",
      name: "Sales",
      display_name: "Sales",
      visibility: "SHARABLE",
      users: [],
      sub_groups: [],
      roles: [],
      privileges: ["DATADOWNLOADING"],
      ...fields
    }) as unknown as PrincipalListing["groups"][number]
  const listing = (g: PrincipalListing["groups"][number]) => ({ users: [], groups: [g], roles: [] })

  it("a-group-listed-without-its-privileges-fails-rather-than-writing-none", () => {
    const privileges = table("group_privileges")
    expect(Effect.runSync(privileges.rows(listing(group({}))))).toEqual([["g-1", "Sales", "DATADOWNLOADING"]])
    expect(Effect.runSync(privileges.rows(listing(group({ privileges: [] }))))).toEqual([])
    for (const missing of [null, undefined]) {
      expect(failureOf(Effect.runSyncExit(privileges.rows(listing(group({ privileges: missing })))))).toBe(
        'groups/search sent no "privileges" for group "Sales": its privileges would be unknown, so none are written; run the export again, or report the cluster\'s version'
      )
    }
  })
})
