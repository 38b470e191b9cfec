// The gateway's Prometheus metrics (issue 11 section 6): terminals online,
// outbox depth per terminal, money events by result, refusals by reason,
// handshake failures by reason, dropped connections.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface GatewayMetrics {
  requests: Counter<'event' | 'outcome'>;
  terminalsOnline: Gauge;
  outboxDepth: Gauge<'terminal'>;
  moneyEvents: Counter<'kind' | 'result'>;
  refusals: Counter<'event' | 'reason'>;
  handshakeFailures: Counter<'reason'>;
  droppedConnections: Counter<'reason'>;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'nongbao_gateway_requests_total', help: 'Terminal requests answered by the gateway, by event and outcome', labelNames: ['event', 'outcome'] as const, registers }),
    terminalsOnline: new Gauge({ name: 'nongbao_terminals_online', help: 'Terminals connected to this gateway process', registers }),
    outboxDepth: new Gauge({ name: 'nongbao_terminal_outbox_depth', help: 'Money events waiting in a terminal outbox, as it last reported', labelNames: ['terminal'] as const, registers }),
    moneyEvents: new Counter({ name: 'nongbao_money_events_total', help: 'Kiosk money events answered, by kind and result (refused, not-applied, or the ledger result)', labelNames: ['kind', 'result'] as const, registers }),
    refusals: new Counter({ name: 'nongbao_gateway_refusals_total', help: 'Requests and money events refused, by event and reason', labelNames: ['event', 'reason'] as const, registers }),
    handshakeFailures: new Counter({ name: 'nongbao_handshake_failures_total', help: 'Refused terminal handshakes, by reason', labelNames: ['reason'] as const, registers }),
    droppedConnections: new Counter({ name: 'nongbao_dropped_connections_total', help: 'Connections the gateway closed, by reason', labelNames: ['reason'] as const, registers }),
  };
}
