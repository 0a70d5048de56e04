/**
 * Counters and gauges of one relay process, rendered as Prometheus text on `GET /metrics`.
 * Counters only grow; gauges are read from the live state when rendered.
 */
export class RelayMetrics {
  connectionsTotal = 0;
  messagesIn = 0;
  messagesOut = 0;
  replayed = 0;
  resumes = 0;
  signals = 0;
  duplicatePublishes = 0;
  /** Clients closed (4009) because they read too slowly. */
  slowClients = 0;
  /** HTTP requests refused by the per-address rate limit. */
  httpRateLimited = 0;
  joins = 0;
  readonly errors = new Map<string, number>();

  countError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Prometheus text exposition format 0.0.4. */
  render(gauges: Record<string, { help: string; value: number }>): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    counter('mesh_relay_connections_total', 'WebSocket connections accepted.', this.connectionsTotal);
    counter('mesh_relay_joins_total', 'Joins admitted (new members and resumes).', this.joins);
    counter('mesh_relay_resumes_total', 'Joins that resumed a held member or re-joined.', this.resumes);
    counter('mesh_relay_messages_in_total', 'Room messages stored.', this.messagesIn);
    counter('mesh_relay_messages_out_total', 'Room message frames sent live to members.', this.messagesOut);
    counter('mesh_relay_messages_replayed_total', 'Room messages sent as catch-up after a join.', this.replayed);
    counter('mesh_relay_duplicate_publishes_total', 'Publishes resent after a reconnect that were already stored.', this.duplicatePublishes);
    counter('mesh_relay_signals_total', 'Signaling frames routed between peers.', this.signals);
    counter('mesh_relay_slow_clients_total', 'Clients closed (4009) because their send buffer passed the limit.', this.slowClients);
    counter('mesh_relay_http_rate_limited_total', 'HTTP requests refused (429) by the per-address rate limit.', this.httpRateLimited);
    lines.push('# HELP mesh_relay_errors_total Error frames sent, by code.', '# TYPE mesh_relay_errors_total counter');
    for (const [code, n] of [...this.errors].sort()) lines.push(`mesh_relay_errors_total{code="${code}"} ${n}`);
    for (const [name, g] of Object.entries(gauges)) {
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`);
    }
    return lines.join('\n') + '\n';
  }
}
