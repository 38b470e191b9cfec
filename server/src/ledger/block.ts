// Sealing a batch into a block (issue #15 section 1): the created transfers in
// stored form, each with its block and index, the block's digest over their
// encodings and its hash chained to the head. Pure: the Ledger hands the
// result to LedgerStore#appendBlock.
import type { AppendTransfer, BalanceDelta, ChainHead, NewBlock } from './store.js';
import type { CreatedTransfer } from './evaluate.js';
import { BlockDigest, blockHash, canonicalTransferEncoding } from './hash.js';

/** Most transfers in one block: a batch commits as one block, so this is also the most in one batch. */
export const MAX_BLOCK_TRANSFERS = 10_000;

/**
 * The block that appends `created` (seqs head.seq + 1, ... in order, as the
 * evaluation gave them) after `head`, recorded at `recordedAt`.
 */
export function sealBlock(head: ChainHead, created: readonly CreatedTransfer[], deltas: readonly BalanceDelta[], recordedAt: string): NewBlock {
  const num = head.block + 1;
  const n = created.length;
  const transfers = new Array<AppendTransfer>(n);
  const digest = new BlockDigest();
  for (let i = 0; i < n; i++) {
    const { row: r, seq, debitKey, creditKey } = created[i]!;
    const t: AppendTransfer = {
      seq,
      id: r.id,
      debitAccountId: r.debitAccountId,
      creditAccountId: r.creditAccountId,
      amountFen: r.amountFen,
      code: r.code,
      at: r.at,
      reference: r.reference,
      metaJson: r.metaJson,
      linked: r.linked,
      recordedAt,
      block: num,
      blockIndex: i,
      debitKey,
      creditKey,
    };
    transfers[i] = t;
    digest.add(canonicalTransferEncoding(t));
  }
  const unhashed = { num, firstSeq: transfers[0]!.seq, lastSeq: transfers[n - 1]!.seq, digest: digest.digest(), prevHash: head.hash };
  return { header: { ...unhashed, hash: blockHash(unhashed) }, transfers, deltas };
}
