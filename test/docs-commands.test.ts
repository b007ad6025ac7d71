/**
 * The command lines the docs quote still parse: a renamed flag, a removed script or a moved config would otherwise be
 * found only by a reader who pastes the command. Nothing is run; every check is against the real definitions:
 *
 * - `edgepilot ...`, `npx edgepilot ...`, `node bin/edgepilot.js ...`: the subcommand is registered (src/cli/commands.ts)
 *   and every flag is one of its commander options (`--no-x` only where commander knows it; -h/--help everywhere,
 *   -V/--version at the top level); no more positionals than it declares; a literal `report` kind is one of
 *   REPORT_KINDS or `all`, and an option value one of the option's commander choices where it has them.
 *   `edgepilot help X`: X is a command.
 * - `npm run X [-- ...]`, `npm start`, `npm test`: X is a script of package.json; flags before `--` are npm's own, so a
 *   script flag there is an error; the script's command with the arguments after `--` is then checked as any other
 *   command line (`npm start -- --trace F` as `edgepilot demo --trace F`, `npm run bench:sim -- --json` as the bench).
 * - `node [node flags] FILE ...`: FILE exists; its flags are the keys of its `parseBenchArgs` / `parseArgs` options
 *   object (read from the source, not run), or, for the experiment scripts that read `process.argv` by hand, the
 *   `'--x'` string literals in it and the scripts/ files it imports.
 * - `bash FILE ...`: FILE exists (a shell script's flags are not checked).
 * - In every command, an input under scripts/, configs/, models/ or ../shared/ exists. Not checked: runs/ (run
 *   outputs, not committed), /tmp, the value of --out or --plot and a redirection's target (written, not read), bare
 *   file names such as `rate.csv` or `mine.json` (the reader's own files). ../shared/ is read from /work/shared when
 *   the checkout does not sit next to it (a clean clone, as in src/cli/main.test.ts).
 *
 * What is read: README.md, docs/*.md and any README under configs/: fenced code blocks (a trailing `\` joins the
 * next line, and so does an indented line starting with an option, a usage block's wrap; `# comment` is dropped),
 * 4-space indented code blocks that start with a command, and inline code spans (which may wrap lines). In each,
 * `&&`, `||`, `;` and `|` (outside brackets) split commands; a redirection (`> out.txt`, `2>&1`) is dropped with its
 * target; text before the command (`/usr/bin/time -v`, `VAR=1`) is ignored. The docs' notation is normalised:
 * - `[...]` is an optional part: the brackets are dropped and what is inside is checked; `a | b` inside brackets are
 *   alternatives: each is checked. A bracket inside a token (`meta-td3-variation[-varied].json`) gives both files.
 * - `<placeholder>` (one word even with spaces: `<both manifests>`) and upper-case placeholders (FILE, N, DIR): never
 *   a path to check. `<a|b>` as the report kind lists kinds: each is checked. `edgepilot <command> ...` is skipped
 *   (no command to check).
 * - `...` / `…` (an elided part) is dropped; the rest of the line is still checked.
 * Not read: a command without its prefix (`bench --quick` in prose), `npx` of other tools, the Examples in --help
 * (src/cli/main.test.ts checks those). Not checked: option values beyond files and commander choices (policy ids,
 * scenarios, env ids: the commands validate those when run), the arguments of `node scripts/run-tests.mjs` (name
 * substrings, not paths).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Command, type Option } from 'commander';
import { COMMANDS } from '../src/cli/commands.ts';
import { REPORT_KINDS } from '../src/cli/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Findings that are history, not rot: a doc quoting the command a past session ran, with a flag or file removed
 * since, marked in the doc. Keyed by file and the exact problem (not the line, which moves); an entry nothing matches
 * any more fails the test, so the list only shrinks.
 */
const ALLOWED: Allowed[] = [];

interface Allowed {
  file: string;
  problem: string;
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Extraction: code pieces (text with the doc line of every character), then tokens, then commands.

interface Piece {
  text: string;
  /** The doc line (1-based) of each character of text. */
  lines: number[];
}

interface Tok {
  text: string;
  line: number;
}

/** Code in a Markdown text: fenced and indented code blocks line by line, and inline code spans. */
function codePieces(markdown: string): Piece[] {
  const lines = markdown.split('\n');
  const pieces: Piece[] = [];
  let fence: string | undefined;
  let pending: Piece | undefined; // a fenced line continued with `\`
  let lastFenced: Piece | undefined; // the fenced line before, for a usage block's wrapped lines
  let paragraph: Piece = { text: '', lines: [] };
  const flushParagraph = (): void => {
    pieces.push(...inlineSpans(paragraph));
    paragraph = { text: '', lines: [] };
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    const fenceMark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && fenceMark !== undefined) {
      flushParagraph();
      fence = fenceMark;
      lastFenced = undefined;
      continue;
    }
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length && line.trim() === fenceMark) {
        if (pending) pieces.push(pending);
        pending = undefined;
        fence = undefined;
        continue;
      }
      let code = stripComment(line);
      const continued = /\\\s*$/.test(code);
      if (continued) code = code.replace(/\\\s*$/, ' ');
      // A usage block wraps without `\`: an indented line that starts with an option continues the line before.
      const wrapped = !pending && lastFenced !== undefined && /^\s+[[-]/.test(code);
      const piece = pending ?? (wrapped ? lastFenced! : { text: '', lines: [] });
      if (wrapped) {
        append(piece, ' ' + code, n);
        continue;
      }
      append(piece, code, n);
      if (continued) pending = piece;
      else {
        pieces.push(piece);
        pending = undefined;
        lastFenced = piece;
      }
      continue;
    }
    // An indented code block: 4 spaces after a blank line, starting with a command (a list item's indented paragraph
    // is prose, its code spans read below).
    if (/^ {4,}(\$ )?(edgepilot|node|npm|npx|bash|sh) /.test(line) && paragraph.text === '') {
      const piece = { text: '', lines: [] };
      append(piece, stripComment(line), n);
      pieces.push(piece);
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      continue;
    }
    if (paragraph.text !== '') append(paragraph, '\n', n - 1);
    append(paragraph, line, n);
  }
  if (pending) pieces.push(pending);
  flushParagraph();
  return pieces;
}

function append(piece: Piece, text: string, line: number): void {
  piece.text += text;
  for (let k = 0; k < text.length; k++) piece.lines.push(line);
}

/** A shell comment: ` #` to the end of the line, outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (k === 0 || /\s/.test(line[k - 1]!))) return line.slice(0, k);
  }
  return line;
}

/** The inline code spans of a paragraph (a run of n backticks up to the next run of exactly n); newlines become spaces. */
function inlineSpans(paragraph: Piece): Piece[] {
  const { text } = paragraph;
  const spans: Piece[] = [];
  let k = 0;
  while (k < text.length) {
    if (text[k] === '\\' && text[k + 1] === '`') {
      k += 2;
      continue;
    }
    if (text[k] !== '`') {
      k++;
      continue;
    }
    let n = 0;
    while (text[k + n] === '`') n++;
    const start = k + n;
    let close = -1;
    for (let j = start; j < text.length; ) {
      if (text[j] !== '`') {
        j++;
        continue;
      }
      let m = 0;
      while (text[j + m] === '`') m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      k = start;
      continue;
    }
    const span: Piece = { text: '', lines: [] };
    for (let j = start; j < close; j++) {
      // `\|` is a pipe escaped for a table cell.
      if (text[j] === '\\' && text[j + 1] === '|') continue;
      append(span, text[j] === '\n' ? ' ' : text[j]!, paragraph.lines[j]!);
    }
    spans.push(span);
    k = close + n;
  }
  return spans;
}

type Word = Tok & { /** [ ] nesting at the word's start. */ depth: number; quoted: boolean };

/** Shell-like words, quotes removed, each with its line and bracket depth; `;` is a word of its own. */
function words(piece: Piece): Word[] {
  const out: Word[] = [];
  let depth = 0;
  let current: Word | undefined;
  let quote: string | undefined;
  const { text, lines } = piece;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else current!.text += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (current) out.push(current);
      current = undefined;
      continue;
    }
    if (!current) current = { text: '', line: lines[k]!, depth, quoted: false };
    if (c === '<' && /\S/.test(text[k + 1] ?? ' ')) {
      // A placeholder is one word, spaces and all (`<both manifests>`); the separators do not apply inside it.
      const end = text.indexOf('>', k);
      if (end > 0) {
        current.text += text.slice(k, end + 1);
        k = end;
        continue;
      }
    }
    if (c === "'" || c === '"') {
      quote = c;
      current.quoted = true;
      continue;
    }
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ';' && !current.quoted) {
      // `a; b`: the separator as a word of its own.
      if (current.text) out.push(current);
      out.push({ text: ';', line: lines[k]!, depth, quoted: false });
      current = undefined;
      continue;
    }
    current.text += c;
  }
  if (current) out.push(current);
  return out;
}

interface DocCommand {
  tokens: Tok[];
  /** The command as written (normalised), for the messages. */
  text: string;
}

/** The commands of one code piece: split at separators, started at a command we know, notation normalised. */
function commandsOf(piece: Piece): DocCommand[] {
  const segments: Word[][] = [[]];
  const all = words(piece);
  for (let k = 0; k < all.length; k++) {
    const w = all[k]!;
    const separator = !w.quoted && (['&&', '||', ';'].includes(w.text) || (w.text === '|' && w.depth === 0));
    if (separator) {
      segments.push([]);
      continue;
    }
    if (!w.quoted && /^(\d|&)?>/.test(w.text)) {
      // A redirection (`> out.txt`, `2>&1`, `>out.txt`): not an argument; its target is written, not read.
      if (/^(\d|&)?>>?$/.test(w.text)) k++;
      continue;
    }
    segments.at(-1)!.push(w);
  }
  const commands: DocCommand[] = [];
  for (const segment of segments) {
    const start = segment.findIndex((w, i) => ['edgepilot', 'node', 'npm', 'bash', 'sh'].includes(w.text) || (w.text === 'npx' && segment[i + 1]?.text === 'edgepilot'));
    if (start < 0) continue;
    const tokens: Tok[] = [];
    for (const w of segment.slice(start)) {
      if (w.quoted) {
        tokens.push({ text: w.text, line: w.line });
        continue;
      }
      // An optional part's brackets at the word's edges; `|` between alternatives; an elided part.
      const text = w.text.replace(/^\[+/, '').replace(/\]+$/, '');
      if (text === '' || text === '|' || /^(\.\.\.|…)$/.test(text)) continue;
      tokens.push({ text, line: w.line });
    }
    commands.push({ tokens, text: tokens.map((t) => t.text).join(' ') });
  }
  return commands;
}

/** A word with optional parts inside it (`x[-varied].json`): every reading of it. */
function readings(text: string): string[] {
  const m = /\[([^[\]]*)\]/.exec(text);
  if (!m) return [text];
  return [...readings(text.slice(0, m.index) + text.slice(m.index + m[0].length)), ...readings(text.slice(0, m.index) + m[1] + text.slice(m.index + m[0].length))];
}

const isPlaceholder = (text: string): boolean => text.includes('<') || /^[A-Z][A-Z0-9_]*$/.test(text);

// ---------------------------------------------------------------------------------------------------------------
// Checking.

interface Finding {
  line: number;
  problem: string;
  command: string;
}

/** What the commands are checked against: the real program, package.json, the files of the checkout. */
interface Context {
  program: Command;
  npmScripts: Record<string, string>;
  exists: (repoPath: string) => boolean;
  /** The flags a script file accepts, or undefined when they cannot be read from it (not JavaScript/TypeScript). */
  scriptFlags: (repoPath: string) => Set<string> | undefined;
}

/** Counts of the commands checked, by kind (the test asserts the docs were actually read). */
type Counts = Record<'edgepilot' | 'npm' | 'node' | 'bash', number>;

const OUTPUT_FLAGS = new Set(['--out', '--plot']);
const CHECKED_DIRS = ['scripts/', 'configs/', 'models/', '../shared/'];
// npm's own flags that may stand before `--` (npm run --silent X); any other flag there is eaten by npm.
const NPM_FLAGS = new Set(['--silent', '-s', '--if-present', '--ignore-scripts', '--workspaces', '--workspace', '-w', '--loglevel']);
// Commander's defaults: every command has -h/--help; main.ts gives the program -V/--version.
const HELP_FLAGS = new Set(['--help', '-h']);
const TOP_LEVEL_FLAGS = new Set(['--help', '-h', '--version', '-V']);

/** Every finding in the commands of a Markdown text. */
function checkMarkdown(markdown: string, ctx: Context, counts?: Counts): Finding[] {
  const findings: Finding[] = [];
  for (const piece of codePieces(markdown)) {
    for (const command of commandsOf(piece)) checkCommand(command.tokens, command.text, ctx, findings, counts, 0);
  }
  return findings;
}

function checkCommand(tokens: Tok[], text: string, ctx: Context, findings: Finding[], counts: Counts | undefined, depth: number): void {
  const [first, second] = tokens;
  if (!first) return;
  const report = (tok: Tok, problem: string): void => void findings.push({ line: tok.line, problem, command: text });
  if (first.text === 'edgepilot') checkEdgepilot(tokens.slice(1), ctx, report, counts);
  else if (first.text === 'npx' && second?.text === 'edgepilot') checkEdgepilot(tokens.slice(2), ctx, report, counts);
  else if (first.text === 'node') checkNode(tokens.slice(1), ctx, report, counts);
  else if (first.text === 'bash' || first.text === 'sh') checkShell(tokens.slice(1), ctx, report, counts);
  else if (first.text === 'npm' && depth < 3) {
    const args = tokens.slice(1);
    const verb = args[0]?.text;
    let name: Tok | undefined;
    let rest: Tok[];
    if (verb === 'run' || verb === 'run-script') {
      const k = args.findIndex((t, i) => i > 0 && !t.text.startsWith('-'));
      if (k < 0) return; // `npm run`: lists the scripts
      name = args[k]!;
      rest = [...args.slice(1, k), ...args.slice(k + 1)];
    } else if (verb === 'start' || verb === 'test' || verb === 't') {
      name = { ...args[0]!, text: verb === 't' ? 'test' : verb };
      rest = args.slice(1);
    } else return; // npm ci, npm install, ...
    if (isPlaceholder(name.text) || name.text.includes('*')) return;
    if (counts) counts.npm++;
    const script = ctx.npmScripts[name.text];
    if (script === undefined) return report(name, `npm script '${name.text}' is not in package.json`);
    const dashes = rest.findIndex((t) => t.text === '--');
    const before = dashes < 0 ? rest : rest.slice(0, dashes);
    for (const t of before) if (t.text.startsWith('-') && !NPM_FLAGS.has(t.text.split('=')[0]!)) report(t, `npm run ${name.text}: '${t.text}' before '--' is taken by npm, not passed to the script`);
    const after = dashes < 0 ? [] : rest.slice(dashes + 1);
    // The script's own command, then the arguments: checked as the command npm runs. Its words carry the name's line.
    const scriptTokens = script.split(/\s+/).filter(Boolean).map((w) => ({ text: w, line: name.line }));
    const nested: Finding[] = [];
    checkCommand([...scriptTokens, ...after], `${script} ${after.map((t) => t.text).join(' ')}`.trim(), ctx, nested, undefined, depth + 1);
    for (const f of nested) findings.push({ ...f, problem: `npm run ${name.text}: ${f.problem}`, command: text });
  }
}

/** Commander's view of a flag: the option of `command` it names, if any. */
function findOption(command: Command, flag: string): Option | undefined {
  return command.options.find((o) => o.long === flag || o.short === flag);
}

function checkEdgepilot(args: Tok[], ctx: Context, report: (tok: Tok, problem: string) => void, counts: Counts | undefined): void {
  if (counts) counts.edgepilot++;
  const [first] = args;
  if (!first || isPlaceholder(first.text)) return; // bare `edgepilot`, or `edgepilot <command> --help`
  if (first.text.startsWith('-')) {
    for (const t of args) if (t.text.startsWith('-') && !TOP_LEVEL_FLAGS.has(t.text)) report(t, `edgepilot: unknown option '${t.text}'`);
    return;
  }
  const byName = (name: string): Command | undefined => ctx.program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (first.text === 'help') {
    const named = args[1];
    if (named && !isPlaceholder(named.text) && !byName(named.text)) report(named, `edgepilot help: unknown command '${named.text}'`);
    return;
  }
  const command = byName(first.text);
  if (!command) return report(first, `edgepilot: unknown command '${first.text}'`);
  const name = command.name();
  const positionals: Tok[] = [];
  let optionsEnded = false;
  for (let k = 1; k < args.length; k++) {
    const t = args[k]!;
    if (!optionsEnded && t.text === '--') {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && /^-[A-Za-z-]/.test(t.text)) {
      // `--a|--b` (alternatives) and `--x=value`.
      const flags = t.text.split('|').map((f) => f.split('=')[0]!);
      let takesValue = false;
      for (const flag of flags) {
        if (HELP_FLAGS.has(flag)) continue;
        const option = findOption(command, flag);
        // An unknown flag: its value, if any, is not an argument either.
        if (!option) report(t, `edgepilot ${name}: unknown option '${flag}'`);
        takesValue ||= (option ? option.required || option.optional : true) && !t.text.includes('=');
      }
      const value = args[k + 1];
      if (takesValue && value && !(value.text.startsWith('-') && value.text.length > 1)) {
        k++;
        if (!flags.some((f) => OUTPUT_FLAGS.has(f))) checkPaths(value, ctx, report);
        // An option with commander choices: each alternative given (`--x a|b`) is one of them.
        const choices = flags.length === 1 ? findOption(command, flags[0]!)?.argChoices : undefined;
        if (choices && !isPlaceholder(value.text)) {
          for (const choice of value.text.split('|')) if (!choices.includes(choice)) report(value, `edgepilot ${name}: ${flags[0]} '${choice}' is not one of ${choices.join(', ')}`);
        }
      }
      continue;
    }
    positionals.push(t);
    checkPaths(t, ctx, report);
  }
  const declared = command.registeredArguments;
  if (!declared.some((a) => a.variadic) && positionals.length > declared.length) {
    report(positionals[declared.length]!, `edgepilot ${name}: takes ${declared.length} argument(s), given '${positionals.map((p) => p.text).join(' ')}'`);
  }
  declared.forEach((argument, i) => {
    const given = positionals[i];
    if (!given) return;
    const choices = argument.argChoices ?? (name === 'report' && i === 0 ? [...REPORT_KINDS, 'all'] : undefined);
    if (!choices) return;
    // `<meta|shuffle|...>` lists the choices; `<kind>` or KIND is a placeholder.
    const listed = /^<([^>]*\|[^>]*)>$/.exec(given.text)?.[1]?.split('|') ?? (isPlaceholder(given.text) ? [] : [given.text]);
    for (const choice of listed) if (!choices.includes(choice)) report(given, `edgepilot ${name}: '${choice}' is not one of ${choices.join(', ')}`);
  });
}

function checkNode(args: Tok[], ctx: Context, report: (tok: Tok, problem: string) => void, counts: Counts | undefined): void {
  // Node's own flags (--import tsx, --expose-gc, --cpu-prof-dir DIR, ...) stand before the file: the file is the first
  // word that names a script and is not the module of --import / --require.
  let k = 0;
  for (; k < args.length; k++) {
    const t = args[k]!.text;
    if (['-e', '--eval', '-p', '--print'].includes(t)) return;
    if (['--import', '-r', '--require', '--loader', '--experimental-loader'].includes(t)) k++;
    else if (!t.startsWith('-') && /\.(m|c)?(j|t)s$/.test(t)) break;
  }
  const file = args[k];
  if (!file || isPlaceholder(file.text)) return; // `node`, `node -v`, ...
  const path = file.text.replace(/^\.\//, '');
  if (path === 'bin/edgepilot.js') return checkEdgepilot(args.slice(k + 1), ctx, report, counts);
  if (counts) counts.node++;
  if (!ctx.exists(path)) return report(file, `missing file '${path}'`);
  checkScriptArgs(path, args.slice(k + 1), ctx, report);
}

function checkShell(args: Tok[], ctx: Context, report: (tok: Tok, problem: string) => void, counts: Counts | undefined): void {
  const file = args.find((t) => !t.text.startsWith('-'));
  if (!file || args.some((t) => t.text === '-c') || isPlaceholder(file.text) || !file.text.endsWith('.sh')) return;
  if (counts) counts.bash++;
  const path = file.text.replace(/^\.\//, '');
  if (!ctx.exists(path)) return report(file, `missing file '${path}'`);
  for (const t of args.slice(args.indexOf(file) + 1)) checkPaths(t, ctx, report);
}

function checkScriptArgs(path: string, args: Tok[], ctx: Context, report: (tok: Tok, problem: string) => void): void {
  const known = ctx.scriptFlags(path);
  let output = false;
  for (const t of args) {
    if (t.text === '--') break;
    if (/^-[A-Za-z-]/.test(t.text)) {
      const flags = t.text.split('|').map((f) => f.split('=')[0]!);
      if (known) for (const flag of flags) if (!known.has(flag)) report(t, `${path}: unknown option '${flag}'`);
      output = flags.some((f) => OUTPUT_FLAGS.has(f));
      continue;
    }
    if (!output) checkPaths(t, ctx, report);
    output = false;
  }
}

/** The inputs a word names under the checked folders exist (each part of a comma list, each reading of `[...]`). */
function checkPaths(tok: Tok, ctx: Context, report: (tok: Tok, problem: string) => void): void {
  for (const reading of readings(tok.text)) {
    for (const part of reading.split(',')) {
      const path = part.replace(/^\.\//, '');
      if (!CHECKED_DIRS.some((d) => path.startsWith(d))) continue;
      if (/[<>*{}…]|\.\.\.|\$/.test(path) || isPlaceholder(path.split('/').at(-1)!)) continue;
      if (!ctx.exists(path)) report(tok, `missing file '${path}'`);
    }
  }
}

/** The findings not on the allow-list, as `file:line: problem`, and the allow-list entries nothing matched. */
function triage(found: Array<{ file: string; finding: Finding }>, allowed: Allowed[]): { failures: string[]; stale: Allowed[] } {
  const used = new Set<Allowed>();
  const failures: string[] = [];
  for (const { file, finding } of found) {
    const entry = allowed.find((a) => a.file === file && a.problem === finding.problem);
    if (entry) used.add(entry);
    else failures.push(`${file}:${finding.line}: ${finding.problem}\n    in: ${finding.command}`);
  }
  return { failures, stale: allowed.filter((a) => !used.has(a)) };
}

// ---------------------------------------------------------------------------------------------------------------
// The real context.

/** A path from the repo root; ../shared is /work/shared when the checkout does not sit next to it (CI's clean clone). */
function resolvePath(repoPath: string): string {
  if (repoPath.startsWith('../shared/') && !existsSync(join(ROOT, '../shared'))) return join('/work', repoPath.slice(3));
  return join(ROOT, repoPath);
}

const flagCache = new Map<string, Set<string> | undefined>();

/**
 * The flags a script accepts, read from its source: the keys (and `short`s) of the options object given to
 * `parseBenchArgs` (which also takes --help/-h) or `parseArgs`, authoritative when present (both parse strictly);
 * else the `'--x'` string literals of the file and of the scripts/ files it imports (`flag('--seeds', ...)`,
 * `process.argv.includes('--no-guard')`).
 */
function scriptFlags(repoPath: string): Set<string> | undefined {
  if (flagCache.has(repoPath)) return flagCache.get(repoPath);
  let result: Set<string> | undefined;
  if (/\.(m|c)?(j|t)s$/.test(repoPath)) {
    const own = readScript(resolvePath(repoPath));
    if (own.declared) result = own.declared;
    else {
      result = new Set<string>();
      const seen = new Set<string>();
      const queue = [resolvePath(repoPath)];
      while (queue.length) {
        const file = queue.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        const { literals, imports } = readScript(file);
        for (const l of literals) result.add(l);
        queue.push(...imports.filter((f) => relative(join(ROOT, 'scripts'), f).split('/')[0] !== '..' && existsSync(f)));
      }
    }
  }
  flagCache.set(repoPath, result);
  return result;
}

function readScript(file: string): { declared?: Set<string>; literals: Set<string>; imports: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, /\.(m|c)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  let declared: Set<string> | undefined;
  const literals = new Set<string>();
  const imports: string[] = [];
  const objectOf = (node: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined => {
    if (node && ts.isObjectLiteralExpression(node)) return node;
    if (node && ts.isIdentifier(node)) {
      // `const OPTIONS = {...}; parseArgs({ options: OPTIONS })`
      let found: ts.ObjectLiteralExpression | undefined;
      const find = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === node.text && n.initializer && ts.isObjectLiteralExpression(n.initializer)) found = n.initializer;
        ts.forEachChild(n, find);
      };
      find(source);
      return found;
    }
    return undefined;
  };
  const nameOf = (name: ts.PropertyName): string | undefined => (ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      let options: ts.ObjectLiteralExpression | undefined;
      if (callee === 'parseBenchArgs') options = objectOf(node.arguments[2]);
      else if (callee === 'parseArgs' || callee.endsWith('.parseArgs')) {
        const config = objectOf(node.arguments[0]);
        const property = config?.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && nameOf(p.name) === 'options');
        options = objectOf(property?.initializer);
      }
      if (options) {
        declared ??= new Set(callee === 'parseBenchArgs' ? HELP_FLAGS : []);
        for (const p of options.properties) {
          if (!ts.isPropertyAssignment(p)) continue;
          const key = nameOf(p.name);
          if (key) declared.add(`--${key}`);
          const short = ts.isObjectLiteralExpression(p.initializer) ? p.initializer.properties.find((q): q is ts.PropertyAssignment => ts.isPropertyAssignment(q) && nameOf(q.name) === 'short') : undefined;
          if (short && ts.isStringLiteral(short.initializer)) declared.add(`-${short.initializer.text}`);
        }
      }
    }
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && /^--[a-z0-9][a-z0-9-]*$/i.test(node.text)) literals.add(node.text);
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('.')) {
      imports.push(join(dirname(file), node.moduleSpecifier.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { declared, literals, imports };
}

function realContext(): Context {
  const program = new Command();
  for (const register of COMMANDS) register(program);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return { program, npmScripts: pkg.scripts, exists: (p) => existsSync(resolvePath(p)), scriptFlags };
}

/** README.md, docs/*.md and any README under configs/. */
function docFiles(): string[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = `${dir}/${name}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/^README/i.test(name)) files.push(path);
    }
  };
  walk('configs');
  return files.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Tests.

const ctx = realContext();
const problems = (markdown: string): string[] => checkMarkdown(markdown, ctx).map((f) => `${f.line}: ${f.problem}`);

test('a made-up flag, command, script or file in a doc line is caught, with its line', () => {
  const doc = [
    '# Title',
    '',
    'Run `edgepilot bench --scenario all --made-up-flag 3` first.',
    '',
    '```bash',
    'edgepilot benhc --quick        # a typo in the command',
    'node bin/edgepilot.js train --env SparkIot \\',
    '  --config configs/nope.json --out models/new.json',
    '```',
    '',
    'Then `npm run bench:nope` and `node --import tsx scripts/experiments/gone.mts`.',
  ].join('\n');
  assert.deepEqual(problems(doc), [
    "3: edgepilot bench: unknown option '--made-up-flag'",
    "6: edgepilot: unknown command 'benhc'",
    "8: missing file 'configs/nope.json'",
    "11: npm script 'bench:nope' is not in package.json",
    "11: missing file 'scripts/experiments/gone.mts'",
  ]);
});

test('correct lines pass: negated flags commander knows, --flag=value, --help, outputs and runs/ not checked', () => {
  const doc = [
    '`edgepilot select-meta --candidates runs/a.json --out models/new.json --no-edge`',
    '`edgepilot bench --trace=../shared/traces/azure-llm-2023/rate.csv --no-trace-gaps --json > runs/x.txt`',
    '`edgepilot train --help`, `edgepilot --version`, `edgepilot help bench`, `npx edgepilot <command> --help`',
    '`edgepilot trace ../shared/traces/twitter-stream-2021/rate_60s.csv --trace-step-s 60 --plot rate.png`',
  ].join('\n');
  assert.deepEqual(problems(doc), []);
  // A negation commander does not know is an unknown option, as it is to commander.
  assert.deepEqual(problems('`edgepilot bench --no-json`'), ["1: edgepilot bench: unknown option '--no-json'"]);
});

test("the docs' notation: [optional] parts and a | b alternatives are checked, placeholders and ... skipped", () => {
  assert.deepEqual(problems('`edgepilot report <meta|shuffle|edge|weights|all> [--out DIR] [--seeds N | --quick] [...]`'), []);
  assert.deepEqual(problems('`edgepilot report <meta|shufle> [--seeds N | --quik]`'), [
    "1: edgepilot report: unknown option '--quik'",
    "1: edgepilot report: 'shufle' is not one of meta, shuffle, edge, weights, all",
  ]);
  assert.deepEqual(problems('`edgepilot train ... --seeds 13-18 --pooling arithmetic|geometric`'), []);
  // An optional part inside a word: both files.
  assert.deepEqual(problems('`edgepilot train --config configs/experiments/meta-td3-over-residual-variation[-varied].json`'), []);
  assert.deepEqual(problems('`edgepilot train --config configs/meta-td3[-nope].json`'), ["1: missing file 'configs/meta-td3-nope.json'"]);
  // A command wrapped over two lines in prose, and a table cell's escaped pipes.
  assert.deepEqual(problems('(`node bin/edgepilot.js bench --scenario all --seeds 20\n--bogus`)'), ["2: edgepilot bench: unknown option '--bogus'"]);
  assert.deepEqual(problems('| `edgepilot report <meta\\|shuffle>` | x |'), []);
  // An indented code block.
  assert.deepEqual(problems('text\n\n    edgepilot train --bogus 1\n'), ["3: edgepilot train: unknown option '--bogus'"]);
});

test('npm: script names, flags before -- (npm eats them), and the flags of a bench script after --', () => {
  assert.deepEqual(problems('`npm run bench:sim -- --steps N --scenario S --hold K --json`, `npm start -- --trace ../shared/traces/azure-llm-2023/rate.csv --duration 120`'), []);
  assert.deepEqual(problems('`npm run bench:sim --json`'), ["1: npm run bench:sim: '--json' before '--' is taken by npm, not passed to the script"]);
  assert.deepEqual(problems('`npm run bench:soak -- --hours 2`'), ["1: npm run bench:soak: src/bench/soak.ts: unknown option '--hours'"]);
  assert.deepEqual(problems('`npm start -- --bogus`'), ["1: npm run start: edgepilot demo: unknown option '--bogus'"]);
  // An experiment script's hand-read flags (flag('--metas', ...)), through its imports (trace-flag.ts).
  assert.deepEqual(problems('`node --import tsx scripts/experiments/calm-on-trace.mts --detrended 0.045 --trace FILE --seeds 20`'), []);
  assert.deepEqual(problems('`node --import tsx scripts/experiments/calm-on-trace.mts --detrendd 0.045`'), ["1: scripts/experiments/calm-on-trace.mts: unknown option '--detrendd'"]);
});

test('shell details: redirections, usage blocks wrapped without \\, placeholders with spaces, extra arguments', () => {
  assert.deepEqual(problems('`edgepilot bench --quick > runs/out.txt 2>&1 | tail -3`'), []);
  const usage = ['```', 'edgepilot edge [--mqtt-url URL] [--broker-port N]', '               [--scenario S] [--no-forwardd]', '```'].join('\n');
  assert.deepEqual(problems(usage), ["3: edgepilot edge: unknown option '--no-forwardd'"]);
  assert.deepEqual(problems('`edgepilot select-meta --candidates <both manifests> --out X.json`'), []);
  assert.deepEqual(problems('`edgepilot inspect models/meta-td3.json models/edge-rl-ppo.json`'), ["1: edgepilot inspect: takes 1 argument(s), given 'models/meta-td3.json models/edge-rl-ppo.json'"]);
  assert.deepEqual(problems('`edgepilot help benhc` and `edgepilot --verbose`'), ["1: edgepilot help: unknown command 'benhc'", "1: edgepilot: unknown option '--verbose'"]);
});

test('the allow-list excuses exactly its file and problem, and an entry nothing matches is reported', () => {
  const finding = { line: 3, problem: "edgepilot train: unknown option '--old'", command: 'edgepilot train --old' };
  const entry = { file: 'docs/META.md', problem: finding.problem, reason: 'history' };
  assert.deepEqual(triage([{ file: 'docs/META.md', finding }], [entry]), { failures: [], stale: [] });
  const elsewhere = triage([{ file: 'docs/RL.md', finding }], [entry]);
  assert.deepEqual(elsewhere.failures, ["docs/RL.md:3: edgepilot train: unknown option '--old'\n    in: edgepilot train --old"]);
  assert.deepEqual(elsewhere.stale, [entry]);
});

test('every command line in README.md and docs/*.md parses against the real CLI, scripts and files', (t) => {
  const counts: Counts = { edgepilot: 0, npm: 0, node: 0, bash: 0 };
  const found = docFiles().flatMap((file) => checkMarkdown(readFileSync(join(ROOT, file), 'utf8'), ctx, counts).map((finding) => ({ file, finding })));
  const { failures, stale } = triage(found, ALLOWED);
  assert.equal(failures.length, 0, `${failures.length} documented command(s) do not match the code:\n${failures.join('\n')}`);
  assert.deepEqual(stale, [], 'allow-list entries that match nothing any more: remove them');
  // The docs were read (an extractor that finds nothing passes everything).
  t.diagnostic(`commands checked: ${JSON.stringify(counts)}`);
  assert.ok(counts.edgepilot > 150 && counts.npm > 40 && counts.node > 40 && counts.bash > 15, JSON.stringify(counts));
});
