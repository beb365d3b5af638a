/**
 * The diff of two Intercom descriptions for what this integration uses, in small units under
 * `diff/`: the changes and their collector (`Change`), a schema reduced to what is compared
 * (`SchemaShape`), schemas compared (`SchemaDiff`), operations and webhook items compared
 * (`OperationDiff`), and the report over them (`DiffReport`). This module is their public face.
 */
export type { Change, ChangeKind, Direction, Impact } from "./diff/Change.ts"
export {
  type DiffReport,
  type DiffSide,
  diffDocuments,
  diffVersions,
  type ImpactCounts,
  UsageNotInDescriptions
} from "./diff/DiffReport.ts"
