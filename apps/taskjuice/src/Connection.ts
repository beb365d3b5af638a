/**
 * An Intercom connection: one workspace authorized through OAuth. Its one home is the state package,
 * which keeps it (the token sealed at rest) for every worker; the bundle uses that model as it is.
 */
export {
  type Connection,
  type ConnectionStatus,
  type ConnectionSummary,
  summarizeConnection
} from "@taskjuice/intercom-state"
