import { LOG_LEVELS, defaultLogLevel, parseLogLevel, type LogLevel } from '../log/logger.js';
import { DEFAULTS } from './defaults.js';
import { ConfigError, flagSetting as flag, integerSetting as integer, isLoopbackHost, type Environment } from './parse.js';

export interface ObservabilityConfig {
  logLevel: LogLevel;
  /** Human-readable log lines (pino-pretty) instead of JSON; default on under `NODE_ENV=development`. */
  logPretty: boolean;
  /** `GET /metrics` in Prometheus format. */
  metrics: boolean;
  /** `/metrics` protection: a bearer token it requires, and/or a port of its own (off the public listener). */
  metricsToken: string | undefined;
  metricsPort: number | undefined;
  /** The metrics port's listen address: loopback unless the operator says otherwise. */
  metricsHost: string;
}

/** The OpenTelemetry resource attribute naming the service. */
export const SERVICE_NAME_ATTRIBUTE = 'service.name';
export const DEFAULT_SERVICE_NAME = 'isc-graphql-gateway';

export function observabilityConfig(env: Environment, host: string): ObservabilityConfig {
  const observability = {
    logLevel: logLevel(env),
    logPretty: flag(env, 'SAIL_LOG_PRETTY', env.NODE_ENV === 'development'),
    metrics: flag(env, 'SAIL_METRICS', DEFAULTS.observability.metrics),
    metricsToken: metricsToken(env),
    metricsPort: env.SAIL_METRICS_PORT ? integer(env, 'SAIL_METRICS_PORT', 0, 0, 65535) : undefined,
    metricsHost: env.SAIL_METRICS_HOST || DEFAULTS.observability.metricsHost,
  };
  if (env.NODE_ENV === 'production' && metricsOpenToAnyone(observability, host)) {
    throw new ConfigError(
      `/metrics would answer anyone who reaches SAIL_HOST=${host} (NODE_ENV=production): set SAIL_METRICS_TOKEN (scrapers send it as a bearer token), ` +
        'or SAIL_METRICS_PORT (a listener of its own, on loopback unless SAIL_METRICS_HOST says otherwise), or SAIL_METRICS=off',
    );
  }
  return observability;
}

/** `/metrics` served on the public listener, on an address others can reach, without a token. */
export function metricsOpenToAnyone(observability: Pick<ObservabilityConfig, 'metrics' | 'metricsToken' | 'metricsPort'>, host: string): boolean {
  return observability.metrics && observability.metricsToken === undefined && observability.metricsPort === undefined && !isLoopbackHost(host);
}

function metricsToken(env: Environment): string | undefined {
  const value = env.SAIL_METRICS_TOKEN || undefined;
  if (value !== undefined && (value.length < 16 || /\s/.test(value))) {
    throw new ConfigError('SAIL_METRICS_TOKEN must be at least 16 characters without spaces');
  }
  return value;
}

function logLevel(env: Environment): LogLevel {
  if (env.SAIL_LOG_LEVEL && !parseLogLevel(env.SAIL_LOG_LEVEL)) {
    throw new ConfigError(`SAIL_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.SAIL_LOG_LEVEL}")`);
  }
  return defaultLogLevel(env);
}

// ---------------------------------------------------------------------------------------------
// The gateway's own reading of the OTEL_* variables (the OpenTelemetry SDK reads the rest itself)

export type TraceExporterName = 'otlp' | 'console';
const EXPORTER_NAMES = new Set(['otlp', 'console', 'none']);
const OTLP_PROTOCOLS = new Set(['http/protobuf', 'http/json']);

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/**
 * Which exporters the standard variables ask for; empty means tracing is off. Unlike the OTel
 * default (`otlp`), nothing is exported unless `OTEL_TRACES_EXPORTER` or an OTLP endpoint is set,
 * so a gateway started without OTEL_* variables pays nothing and sends nothing.
 */
export function traceExportersOf(env: NodeJS.ProcessEnv): TraceExporterName[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  let names: string[];
  if (!blank(env.OTEL_TRACES_EXPORTER)) {
    names = [
      ...new Set(
        env
          .OTEL_TRACES_EXPORTER!.split(',')
          .map((n) => n.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const unknown = names.find((n) => !EXPORTER_NAMES.has(n));
    if (unknown) throw new ConfigError(`OTEL_TRACES_EXPORTER: "${unknown}" is not supported (use otlp, console or none)`);
    if (names.includes('none')) return [];
  } else {
    names = blank(env.OTEL_EXPORTER_OTLP_ENDPOINT) && blank(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ? [] : ['otlp'];
  }
  if (names.includes('otlp')) {
    const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
    if (protocol && !OTLP_PROTOCOLS.has(protocol)) {
      throw new ConfigError(
        `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; the gateway exports OTLP over HTTP (http/protobuf or http/json, port 4318)`,
      );
    }
  }
  return names as TraceExporterName[];
}

/** `key1=value1,key2=value2` with percent-encoded values (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS). */
export function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as written
    }
    if (key) result[key] = value;
  }
  return result;
}

/** Resource attributes: OTEL_RESOURCE_ATTRIBUTES, then service.name from OTEL_SERVICE_NAME (or ours). */
export function resourceAttributesOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const attributes = parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || attributes[SERVICE_NAME_ATTRIBUTE] || DEFAULT_SERVICE_NAME;
  return { ...attributes, [SERVICE_NAME_ATTRIBUTE]: serviceName };
}
