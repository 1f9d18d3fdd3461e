import { readFile } from 'node:fs/promises';
import { PathprobeError } from '../../proto/errorCodes.js';

/** The shared bearer token: --token-file wins, then PATHPROBE_TOKEN; null sends none. */
export async function readToken(tokenFile: string | undefined): Promise<string | null> {
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(tokenFile, 'utf8');
    } catch (error) {
      throw new PathprobeError('ERR_USAGE', `cannot read --token-file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    const token = text.trim();
    if (!token) throw new PathprobeError('ERR_USAGE', `--token-file ${tokenFile} is empty`);
    return token;
  }
  return process.env.PATHPROBE_TOKEN?.trim() || null;
}
