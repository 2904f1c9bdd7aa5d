/**
 * `metadata_detail` of `metadata/search` with `include_details: true`, in the layout ThoughtSpot documents (its
 * developer documentation's V1 examples; the OpenAPI document leaves the object untyped). Only the parts a client
 * reads are filled, with their documented names:
 *
 * - An answer: `reportContent.sheets[0].sheetContent.visualizations[]`, its table first (`vizContent.vizType`
 *   TABLE), each column with `effectiveDataType`, `effectiveType`, `effectiveAggrType`, `baseColumnName`,
 *   `baseDataType`, … — and no name of its own: a data page names it (`Month(Order Date)`), this describes it.
 * - A liveboard: `reportContent.sheets[0].sheetContent.visualizations[]` are its pinned visualizations (`header.id`
 *   and `header.name`, as `liveboard/data` takes them), each pointing at the answer it shows (`vizContent.refVizId`,
 *   `refAnswerBook`); that answer's own detail is in `header.resolvedObjects[refVizId]`.
 * - A table or model: `columns[]` with `header.{id,name}` and `dataType`.
 *
 * `timeBucket` on a result column is the sandbox's own (the chart SDK's bucket names): the examples show none.
 */
import type { CatalogObject, SavedQuery } from "./Catalog.ts"
import { ordersTable } from "./Catalog.ts"
import { stableGuid } from "./Hash.ts"
import { orderColumns } from "./Orders.ts"

/** The result columns of a saved query, as its visualizations describe them. */
const resultColumns = (query: SavedQuery) =>
  query.plan.selections.map((s) => ({
    id: stableGuid(`output:${query.id}:${s.name}`),
    effectiveDataType: s.dataType,
    effectiveType: s.aggregate !== undefined ? "MEASURE" : s.column.kind,
    effectiveAggrType: s.aggregate ?? "NONE",
    timeBucket: s.bucket === undefined ? "NO_BUCKET" : s.bucket.toUpperCase(),
    baseColumnName: s.column.name,
    baseAggrType: s.column.kind === "MEASURE" ? "SUM" : "NONE",
    baseDataType: s.column.dataType,
    baseType: s.column.kind,
    isVisible: true,
    referencedTableHeaders: [{ id: ordersTable.id, name: ordersTable.name }],
    referencedColumnHeaders: [{ id: s.column.id, name: s.column.name }]
  }))

/** One sheet holding `visualizations`, as `reportContent` lists them. */
const report = (type: "QUESTION" | "PINBOARD", visualizations: ReadonlyArray<unknown>) => ({
  sheets: [{ sheetType: type, sheetContent: { sheetContentType: type, visualizations } }]
})

/** A saved query's own detail: its table visualization (`id` its header's) with the result's columns. */
const questionDetail = (query: SavedQuery, vizId: string, name: string) => ({
  reportContent: report("QUESTION", [
    {
      vizContent: { vizType: "TABLE", columns: resultColumns(query) },
      header: { id: vizId, name },
      complete: true
    }
  ]),
  type: "QUESTION",
  header: { id: query.id, name }
})

/** `metadata_detail` of `o` (see the module comment). */
export const detailOf = (o: CatalogObject): unknown => {
  if (o.type === "LOGICAL_TABLE") {
    return {
      id: o.id,
      name: o.name,
      type: o.subtype,
      description: o.description,
      columns: orderColumns.map((c) => ({
        header: { id: c.id, name: c.name, description: c.description, isHidden: false },
        dataType: c.dataType,
        type: c.kind,
        isAdditive: c.kind === "MEASURE",
        defaultAggrType: c.kind === "MEASURE" ? "SUM" : "NONE",
        indexType: "DEFAULT",
        indexPriority: 1,
        isAttributionDimension: true,
        spotiqPreference: "DEFAULT",
        synonyms: []
      }))
    }
  }
  if (o.type === "ANSWER") {
    const query = o.visualizations[0]!
    return questionDetail(query, stableGuid(`table-viz:${o.id}`), o.name)
  }
  if (o.type === "LIVEBOARD") {
    // Each pinned visualization shows an answer of its own: the answer's visualization is `refVizId`.
    const shown = o.visualizations.map((v) => ({ viz: v, ref: stableGuid(`ref-viz:${v.id}`) }))
    return {
      reportContent: report(
        "PINBOARD",
        shown.map(({ viz, ref }) => ({
          vizContent: {
            vizType: "PINBOARD_VIZ",
            refVizId: ref,
            refAnswerBook: { id: stableGuid(`ref-answer:${viz.id}`), name: viz.name }
          },
          header: { id: viz.id, name: viz.name, owner: o.id },
          complete: true
        }))
      ),
      type: "PINBOARD",
      header: {
        id: o.id,
        name: o.name,
        resolvedObjects: Object.fromEntries(
          shown.map(({ viz, ref }) => [
            ref,
            questionDetail({ ...viz, id: stableGuid(`ref-answer:${viz.id}`) }, ref, viz.name)
          ])
        )
      }
    }
  }
  if (o.type === "LOGICAL_COLUMN") {
    const c = orderColumns.find((x) => x.id === o.id)!
    return { id: c.id, name: c.name, dataType: c.dataType, type: c.kind, tableId: ordersTable.id }
  }
  return { id: o.id, name: o.name }
}
