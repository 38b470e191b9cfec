// T=0 procedure handling, in one layer (issue #3 §1: pcsc-lite does neither):
//   61xx -> GET RESPONSE with Le = xx (00 = 256), concatenating data, repeated
//           while the card keeps answering 61xx;
//   6Cxx -> resend the same command with Le = xx (once per command).
// Every ApduTransport in this package applies it (CardSession calls it), so
// the application layer never sees 61xx / 6Cxx. A T=1 card never answers
// them, so applying it unconditionally is harmless.
import { MAX_GET_RESPONSE_CHAIN, MAX_RESPONSE_BYTES } from './constants.js';
import { decodeCommand, decodeResponse, encodeCommand, getResponse } from './codec.js';
import { CardError, CardErrorCode } from './errors.js';

export type RawExchange = (command: Buffer) => Promise<Buffer>;

function withLe(command: Buffer, le: number): Buffer {
  const apdu = decodeCommand(command);
  if (apdu === undefined) throw new CardError(CardErrorCode.commandInvalid, 'cannot resend a malformed command with a new Le');
  return encodeCommand({ ...apdu, le });
}

export async function exchangeT0(raw: RawExchange, command: Buffer): Promise<Buffer> {
  let response = await raw(command);
  let { sw } = decodeResponse(response);
  if (sw >> 8 === 0x6c) {
    response = await raw(withLe(command, sw & 0xff));
    sw = decodeResponse(response).sw;
  }
  if (sw >> 8 !== 0x61) return response;

  const chunks: Buffer[] = [decodeResponse(response).data];
  let total = chunks[0]!.length;
  for (let round = 0; round < MAX_GET_RESPONSE_CHAIN; round += 1) {
    let next = await raw(getResponse(sw & 0xff));
    let decoded = decodeResponse(next);
    if (decoded.sw >> 8 === 0x6c) {
      next = await raw(getResponse(decoded.sw & 0xff));
      decoded = decodeResponse(next);
    }
    total += decoded.data.length;
    if (total > MAX_RESPONSE_BYTES) {
      throw new CardError(CardErrorCode.responseTooLong, `response chain exceeds ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(decoded.data);
    sw = decoded.sw;
    if (sw >> 8 !== 0x61) {
      const out = Buffer.alloc(total + 2);
      Buffer.concat(chunks).copy(out);
      out.writeUInt16BE(sw, total);
      return out;
    }
  }
  throw new CardError(CardErrorCode.responseTooLong, `card still answers 61xx after ${MAX_GET_RESPONSE_CHAIN} GET RESPONSE`);
}
