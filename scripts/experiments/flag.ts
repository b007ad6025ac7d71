/** `--name value` from the command line of an experiment script, or the default; a flag without a value is an error. */
export function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}
