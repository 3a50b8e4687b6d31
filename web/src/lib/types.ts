// The API's shapes, as the console reads them (see /openapi.json).

export interface Page<T> {
  items: T[];
  total: number;
  skip: number;
  limit: number;
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  examples?: unknown[];
  writeOnly?: boolean;
  additionalProperties?: boolean | JsonSchema;
}

export interface TypeInfo {
  name: string;
  title: string;
  description: string;
  secret_fields: string[];
  configuration_schema: JsonSchema;
}

interface Configured {
  id: string;
  name: string;
  configuration: Record<string, unknown>;
  summary: string;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface Dataset extends Configured {
  dtype: string;
  embedder: string | null;
  embedding_dimension: number | null;
}

export interface Model extends Configured {
  mtype: string;
}

export type Health = "healthy" | "degraded" | "unhealthy";

export interface DatasetHealth {
  status: Health;
  detail: string;
  documents: number;
  chunks: number;
  indexed_vectors: number;
  failed_jobs: number;
  embedder: string | null;
}

export interface Progress {
  files_total: number;
  files_done: number;
  files_failed: number;
  files_pending: number;
  chunks: number;
  bytes_total: number;
  bytes_done: number;
  bytes_per_second: number | null;
  eta_seconds: number | null;
}

export interface Job {
  id: string;
  document_id: string;
  file_name: string;
  size_bytes: number;
  state: "pending" | "running" | "completed" | "failed" | "cancelled";
  attempts: number;
  error: string | null;
  chunks: number;
  created_at: string;
  finished_at: string | null;
}

export interface DocumentRow {
  id: string;
  file_name: string;
  source: string;
  format: string;
  title: string;
  tags: string[];
  size_bytes: number;
  chunk_count: number;
  status: string;
  error: string | null;
  created_at: string;
}

export interface Reference {
  document_id: string;
  content: string;
  metadata: Record<string, unknown>;
  similarity_score: number;
}

export interface SearchResult {
  documents: Reference[];
  provider_info: Record<string, unknown>;
}

export interface ModelHealth {
  name: string;
  status: "healthy" | "unhealthy";
  provider: string;
  model: string;
  model_listed: boolean | null;
  detail: string;
  response_time_ms: number;
  checked_at: string;
}

export type ResponseType = "raw" | "summary" | "both";

export interface PublishedTo {
  marketplace_id: string;
  marketplace_name: string;
  /** pending: a change waits to be pushed; failed: see error (retried at next_attempt_at). */
  status: "published" | "pending" | "failed" | "removing";
  error: string | null;
  published_at: string | null;
  updated_at: string;
  next_attempt_at: string | null;
}

export interface Endpoint {
  id: string;
  name: string;
  slug: string;
  description: string;
  summary: string;
  tags: string[];
  dataset: string | null;
  model: string | null;
  response_type: ResponseType;
  system_prompt: string;
  published: boolean;
  published_to?: PublishedTo[];
  created_at: string;
  updated_at: string;
}

export interface PartHealth {
  name: string;
  status: Health;
  detail: string;
}

export interface EndpointDetail extends Endpoint {
  health: {
    status: Health;
    detail: string;
    dataset: PartHealth | null;
    model: PartHealth | null;
    recent_queries: number;
    recent_error_rate: number;
  };
}

export interface Policy {
  id: string;
  name: string;
  policy_type: string;
  endpoint: string;
  configuration: Record<string, unknown>;
}

export interface Marketplace {
  id: string;
  name: string;
  url: string;
  issuer: string | null;
  hub_username: string | null;
  is_default: boolean;
  status: "active" | "error" | "disabled";
  last_error: string | null;
  last_error_at: string | null;
  credentials: Record<string, unknown>;
  published_endpoints: string[];
  heartbeat: {
    last_ok_at: string | null;
    failures: number;
    last_error: string | null;
    next_at: string | null;
  };
  created_at: string;
}

export interface ConnectionTest {
  success: boolean;
  message: string;
  username: string | null;
}

export interface MarketplaceResult {
  marketplace_id: string;
  marketplace_name: string;
  success: boolean;
  message: string;
  error: string | null;
}

export interface PublishResponse {
  endpoint_slug: string;
  results: MarketplaceResult[];
}

export interface Availability {
  endpoint_slug: string;
  local: { ready: boolean; problems: string[] };
  marketplaces: {
    marketplace_id: string;
    marketplace_name: string;
    available: boolean | null;
    message: string;
    error: string | null;
  }[];
}

export interface NetworkSettings {
  public_url: string | null;
  developer_token: string | null;
  detected_url: string | null;
  reachable: boolean;
  reason: string;
  /** Only in the answer to a PATCH that set a developer token. */
  token_check?: ConnectionTest | null;
}

export interface ServiceHealth {
  status: "ok" | "degraded";
  version: string;
  database: { status: string; backend: string };
  uptime_seconds: number;
}

export interface OutcomeCounts {
  queries: number;
  successes: number;
  denials: number;
  rate_limited: number;
  errors: number;
  cost: number;
}

export interface UsageSummary {
  since: string;
  until: string;
  queries: number;
  unique_users: number;
  successes: number;
  denials: number;
  rate_limited: number;
  errors: number;
  average_latency_ms: number | null;
  p95_latency_ms: number | null;
  total_cost: number;
  peak_hours: number[];
}

export interface TimeBucket extends OutcomeCounts {
  start: string;
}

export interface TopUser {
  sender: string;
  queries: number;
  cost: number;
}

export interface EndpointUsage extends OutcomeCounts {
  endpoint_slug: string;
  average_latency_ms: number | null;
}
