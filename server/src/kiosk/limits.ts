// Bounds on kiosk money that fit the business (issue 10 sections 2-3: "every
// amount on every edge has a cap that fits the business"; "a kiosk's paidAt
// is accepted only inside a window the server can vouch for").

/**
 * What one kiosk's cash box can hold: a bill acceptor's cassette takes about
 * 1 000 notes, and the largest note is 100 yuan. No single kiosk money event
 * (a payment's cash, a credit) can be more than the box holds.
 */
export const KIOSK_CASH_BOX_NOTES = 1_000;
export const LARGEST_NOTE_FEN = 10_000;
export const KIOSK_CASH_BOX_CAPACITY_FEN = KIOSK_CASH_BOX_NOTES * LARGEST_NOTE_FEN;

/**
 * How far before the terminal's last contact with the gateway a payment may be
 * dated. A payment taken while connected is sent at once; one taken while the
 * link was down is dated after the last contact. The allowance covers the
 * time socket.io takes to notice a dead link (ping interval plus timeout,
 * under a minute) and clock drift within the handshake's skew limit.
 */
export const PAID_AT_WINDOW_ALLOWANCE_MS = 15 * 60_000;

/** How far ahead of the server's clock a kiosk's time may be (the handshake's own skew limit). */
export const KIOSK_CLOCK_SKEW_MS = 5 * 60_000;
