// The kiosk's local API answers its own page only (issue 10 section 6; the
// kiosk UI <-> terminal contract in ARCHITECTURE.md: HTTP + socket.io on
// 127.0.0.1 only).
//
// Listening on 127.0.0.1 is not enough: a web page opened on the kiosk (a
// link in a certificate, a captive portal) can have its own name resolve to
// 127.0.0.1 (DNS rebinding) and then call the API as "same origin", or open
// a WebSocket, which browsers never hold to the same-origin rule. Such a
// request gives itself away: its Host header is the attacker's name
// (`evil.example:8470`), and a browser adds the page's Origin to every
// cross-origin request and every WebSocket handshake. So:
// - Host must be this API's own `127.0.0.1:PORT` or `localhost:PORT`
//   (or the host it was told to listen on): otherwise 421 wrong-host;
// - Origin, when sent, must be `http://` + one of those: otherwise 403
//   wrong-origin. A request without Origin (a same-origin GET, curl, the
//   tests' fetch) cannot come from another site's page.
// The same rule guards socket.io's handshake (allowRequest).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

export type LocalOriginRefusal = { status: 421; code: 'wrong-host'; message: string } | { status: 403; code: 'wrong-origin'; message: string };

export class LocalOrigin {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();

  /** Allows the API's own names once its port is known (after listen). */
  listeningOn(host: string, port: number): void {
    this.hosts.clear();
    this.origins.clear();
    const listened = host.includes(':') ? `[${host}]` : host;
    for (const name of new Set([listened, '127.0.0.1', 'localhost'])) {
      const hostHeader = `${name}:${port}`.toLowerCase();
      this.hosts.add(hostHeader);
      this.origins.add(`http://${hostHeader}`);
    }
  }

  /** Why a request with these headers is refused, or undefined when it is the kiosk's own. */
  refusal(headers: IncomingHttpHeaders): LocalOriginRefusal | undefined {
    const host = headers.host?.toLowerCase();
    if (host === undefined || !this.hosts.has(host)) {
      return { status: 421, code: 'wrong-host', message: `this kiosk API answers only ${[...this.hosts].join(' or ')}, not ${host ?? 'a request without Host'}` };
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      return { status: 403, code: 'wrong-origin', message: `requests from ${origin} are refused: only the kiosk's own page may call this API` };
    }
    return undefined;
  }

  /** Express middleware: refuses another host's or origin's request before anything else reads it. */
  httpGuard(onRefused: (refusal: LocalOriginRefusal, req: IncomingMessage) => void): RequestHandler {
    return (req, res, next) => {
      const refused = this.refusal(req.headers);
      if (!refused) {
        next();
        return;
      }
      onRefused(refused, req);
      res.status(refused.status).json({ error: { code: refused.code, message: refused.message } });
    };
  }

  /** socket.io's `allowRequest`: the same rule for the handshake, over polling and WebSocket alike. */
  socketGuard(onRefused: (refusal: LocalOriginRefusal, req: IncomingMessage) => void): (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void {
    return (req, callback) => {
      const refused = this.refusal(req.headers);
      if (refused) onRefused(refused, req);
      callback(refused ? refused.code : null, refused === undefined);
    };
  }
}
