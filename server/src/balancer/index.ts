// Public entry of the TCP balancer: `@nongbao/server/balancer` (issue 15 section 3).
export { TcpBalancer, parseAddress, formatAddress, BALANCER_CONNECT_TIMEOUT_MS, BALANCER_BACKEND_DOWN_MS, BALANCER_CONNECTIONS_LIMIT } from './tcp-balancer.js';
export type { BalancerAddress, BalancerOptions, BackendStats } from './tcp-balancer.js';
