/**
 * Just enough of the Dockerfile format to run what an image would run: stages, their
 * instructions (continuation lines joined), and the exec-form (JSON) commands.
 */
export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') {
      stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

export const instructions = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

/** `CMD ["node", "…"]`: exec form only (a shell form would put sh between the signal and node). */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec-form command: ${args}`);
  return parsed;
}

/** `ENV A=1 B=two` → { A: '1', B: 'two' } (unquoted values, as this Dockerfile writes them). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      env[name] = value.join('=');
    }
  }
  return env;
}

/** `HEALTHCHECK [options] CMD [...]` → the command. */
export function healthcheckCommand(stage: Stage): string[] {
  const [args] = instructions(stage, 'HEALTHCHECK');
  const at = args.indexOf('CMD ');
  if (at < 0) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return execForm(args.slice(at + 4));
}

/** The V8 flags of a node command line: its `--` arguments before the script. */
export const nodeFlags = (command: readonly string[]): string[] => command.filter((arg) => arg.startsWith('--'));
