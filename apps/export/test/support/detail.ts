/**
 * `metadata_detail` of a hand-made answer or liveboard for test clusters, in the layout ThoughtSpot documents (as
 * the sandbox serves it): each column shown as it is, so it goes by its model column's name.
 */

/** A result column: its name (its model column's) and ThoughtSpot type. */
export interface DetailColumn {
  readonly name: string
  readonly type: string
}

const sheet = (type: "QUESTION" | "PINBOARD", visualizations: ReadonlyArray<unknown>) => ({
  reportContent: { sheets: [{ sheetType: type, sheetContent: { sheetContentType: type, visualizations } }] }
})

const table = (id: string, columns: ReadonlyArray<DetailColumn>) => ({
  vizContent: {
    vizType: "TABLE",
    columns: columns.map((c) => ({
      effectiveDataType: c.type,
      effectiveAggrType: "NONE",
      baseColumnName: c.name,
      baseDataType: c.type
    }))
  },
  header: { id, name: "Table 1" }
})

/** An answer's detail: its table with `columns`. */
export const answerDetail = (columns: ReadonlyArray<DetailColumn>) => sheet("QUESTION", [table("table-1", columns)])

/** A liveboard's detail: its pinned visualizations, each showing an answer visualization with `columns`. */
export const liveboardDetail = (
  visualizations: ReadonlyArray<{
    readonly id: string
    readonly name: string
    readonly columns: ReadonlyArray<DetailColumn>
  }>
) => ({
  ...sheet(
    "PINBOARD",
    visualizations.map((v) => ({
      vizContent: { vizType: "PINBOARD_VIZ", refVizId: `ref-${v.id}` },
      header: { id: v.id, name: v.name }
    }))
  ),
  header: {
    resolvedObjects: Object.fromEntries(
      visualizations.map((v) => [`ref-${v.id}`, sheet("QUESTION", [table(`ref-${v.id}`, v.columns)])])
    )
  }
})
