import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { PathprobeError } from '../../proto/errorCodes.js';

/** Pieces are gathered up to this size before a write: fewer syscalls, still a bounded buffer. */
const BATCH_CHARS = 1 << 20;

/**
 * Writes text pieces to a stream as it drains, so a report far larger than the pipe's reader
 * keeps up with is never held whole in memory. A reader that goes away (`| head`) ends the
 * writing quietly: what it read is what it asked for.
 */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  let failed: Error | null = null;
  const onError = (error: Error): void => { failed = error; };
  stream.on('error', onError);
  try {
    let batch = '';
    const flush = async (): Promise<boolean> => {
      const text = batch;
      batch = '';
      if (failed !== null || stream.write(text)) return failed === null;
      // `once` rejects on 'error'; the error is already in `failed`, judged below.
      // `once` rejects on 'error'; the error is already in `failed`, judged below.
      await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(() => undefined);
      return failed === null;
    };
    for (const chunk of chunks) {
      batch += chunk;
      if (batch.length >= BATCH_CHARS && !(await flush())) break;
    }
    if (batch !== '' && failed === null) await flush();
  } finally {
    stream.off('error', onError);
  }
  const error = failed as NodeJS.ErrnoException | null;
  if (error !== null && error.code !== 'EPIPE') {
    throw new PathprobeError('ERR_USAGE', `cannot write the report: ${error.code ?? error.message}`, { cause: error });
  }
}
