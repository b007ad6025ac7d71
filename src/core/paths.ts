/**
 * Where the package's shipped files live. The default checkpoints resolve from here, not from the working
 * directory, so `edgepilot bench` or `demo` started from another folder (or through a linked bin) still finds
 * models/. Paths a user passes on the command line stay relative to the working directory.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (the one holding package.json, models/ and configs/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A shipped checkpoint or manifest: `models/<file>` under the package root. */
export function shippedModel(file: string): string {
  return join(PACKAGE_ROOT, 'models', file);
}
